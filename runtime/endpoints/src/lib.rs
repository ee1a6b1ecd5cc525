//! A Smithy endpoint rules-engine evaluator with the AWS partitions table.
//!
//! A [`RuleSet`] is parsed once from the JSON of a `smithy.rules#endpointRuleSet` trait
//! (every reference, function name and arity is checked at parse time, errors name the JSON
//! location) and then resolved many times against [`Params`]:
//!
//! ```
//! use awslim_endpoints::{Params, RuleSet};
//!
//! let rules = RuleSet::from_json(r#"{
//!     "version": "1.0",
//!     "parameters": { "Region": { "type": "String", "builtIn": "AWS::Region" } },
//!     "rules": [
//!         { "type": "endpoint",
//!           "conditions": [ { "fn": "aws.partition", "argv": [ { "ref": "Region" } ], "assign": "p" } ],
//!           "endpoint": { "url": "https://svc.{Region}.{p#dnsSuffix}" } },
//!         { "type": "error", "conditions": [], "error": "Region is required" }
//!     ]
//! }"#).unwrap();
//! let endpoint = rules.resolve(&Params::new().with("Region", "cn-north-1")).unwrap();
//! assert_eq!(endpoint.url, "https://svc.cn-north-1.amazonaws.com.cn");
//! let error = rules.resolve(&Params::new()).unwrap_err();
//! assert_eq!(error.to_string(), "Region is required");
//! ```
//!
//! Neither parsing nor evaluation panics on malformed input.

use std::collections::BTreeMap;
use std::fmt;

mod eval;
mod parse;
pub mod partitions;
mod stdlib;
pub mod testing;

pub use partitions::{partition, partition_for, Partition, PartitionInfo, RegionPattern, PARTITIONS};
pub use testing::run_test_case;

/// A parsed endpoint rule set: parsed once, resolved many times.
#[derive(Clone, Debug)]
pub struct RuleSet {
    version: String,
    parameters: Vec<Parameter>,
    rules: Vec<parse::Rule>,
    /// Number of evaluation slots: one per parameter, then one per `assign`.
    slots: usize,
}

impl RuleSet {
    /// Parses the JSON text of an `endpointRuleSet` trait value.
    ///
    /// # Errors
    /// [`Error::InvalidRuleSet`] naming the JSON location of the first problem.
    pub fn from_json(text: &str) -> Result<RuleSet, Error> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::InvalidRuleSet { at: String::from("$"), message: format!("not valid JSON: {e}") })?;
        RuleSet::from_value(&value)
    }

    /// Parses an `endpointRuleSet` trait value.
    ///
    /// # Errors
    /// [`Error::InvalidRuleSet`] naming the JSON location of the first problem: wrong JSON
    /// types, unknown functions or rule types, wrong arity, references to names not in scope.
    pub fn from_value(value: &serde_json::Value) -> Result<RuleSet, Error> {
        parse::rule_set(value)
    }

    /// The rule set's `version` field.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The declared parameters, in declaration order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The parameter called `name`, if declared.
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }

    /// Sets each parameter bound to a built-in (`AWS::Region`, `AWS::UseFIPS`,
    /// `SDK::Endpoint`, ...) to what `lookup` returns for that built-in's name. Parameters
    /// already set in `params`, and built-ins `lookup` has no value for, are left alone;
    /// built-ins this rule set does not use are never asked for.
    pub fn bind_built_ins(&self, params: &mut Params, mut lookup: impl FnMut(&str) -> Option<Value>) {
        for p in &self.parameters {
            if let Some(built_in) = &p.built_in {
                if params.get(&p.name).is_none() {
                    if let Some(value) = lookup(built_in) {
                        params.set(p.name.clone(), value);
                    }
                }
            }
        }
    }

    /// Resolves an endpoint. Unset parameters take their defaults.
    ///
    /// # Errors
    /// - [`Error::InvalidParams`]: a missing required parameter, an unknown parameter name
    ///   or a value of the wrong type;
    /// - [`Error::Rule`]: an `error` rule matched (its message is the evaluated text);
    /// - [`Error::NoMatch`]: no rule matched;
    /// - [`Error::Evaluation`]: a value had the wrong type at run time.
    pub fn resolve(&self, params: &Params) -> Result<Endpoint, Error> {
        eval::resolve(self, params)
    }
}

/// The type of a rule-set parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// `String`
    String,
    /// `Boolean`
    Boolean,
    /// `StringArray`
    StringArray,
}

impl ParamType {
    /// The name used in rule-set JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "String",
            ParamType::Boolean => "Boolean",
            ParamType::StringArray => "StringArray",
        }
    }
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A declared rule-set parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// The parameter name, as referenced by the rules.
    pub name: String,
    /// Its type.
    pub kind: ParamType,
    /// The built-in it is bound to (`AWS::Region`, `SDK::Endpoint`, ...), if any.
    pub built_in: Option<String>,
    /// Whether resolution fails when it has neither a value nor a default.
    pub required: bool,
    /// The value used when the caller sets none.
    pub default: Option<Value>,
    /// The documentation string, if any.
    pub documentation: Option<String>,
}

/// A parameter value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// A list of strings.
    StringArray(Vec<String>),
}

impl Value {
    /// The parameter type this value belongs to.
    pub fn kind(&self) -> ParamType {
        match self {
            Value::String(_) => ParamType::String,
            Value::Bool(_) => ParamType::Boolean,
            Value::StringArray(_) => ParamType::StringArray,
        }
    }

    /// Converts a JSON string, boolean or array of strings.
    pub fn from_json(value: &serde_json::Value) -> Option<Value> {
        match value {
            serde_json::Value::String(s) => Some(Value::String(s.clone())),
            serde_json::Value::Bool(b) => Some(Value::Bool(*b)),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Value::StringArray),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Vec<String>> for Value {
    fn from(items: Vec<String>) -> Value {
        Value::StringArray(items)
    }
}

impl From<&[&str]> for Value {
    fn from(items: &[&str]) -> Value {
        Value::StringArray(items.iter().map(|s| (*s).to_owned()).collect())
    }
}

/// Parameter values for one resolution: name -> value. Names not set take the rule set's
/// defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    /// No values set.
    pub fn new() -> Params {
        Params::default()
    }

    /// Sets `name` (builder style).
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Params {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Sets `name`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Params {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Unsets `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.values.remove(name)
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// All values set, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Reads a JSON object of name -> string / boolean / array of strings (the `params` of
    /// an endpoint test case).
    ///
    /// # Errors
    /// [`Error::InvalidParams`] when `value` is not an object or holds another type.
    pub fn from_json(value: &serde_json::Value) -> Result<Params, Error> {
        let object = value.as_object().ok_or_else(|| Error::InvalidParams {
            name: String::new(),
            message: String::from("parameters must be a JSON object"),
        })?;
        let mut params = Params::new();
        for (name, v) in object {
            let v = Value::from_json(v).ok_or_else(|| Error::InvalidParams {
                name: name.clone(),
                message: format!("expected a string, a boolean or an array of strings, got {v}"),
            })?;
            params.set(name.clone(), v);
        }
        Ok(params)
    }
}

/// A resolved endpoint.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Endpoint {
    /// The endpoint URL.
    pub url: String,
    /// Headers to add to the request: name -> values.
    pub headers: BTreeMap<String, Vec<String>>,
    /// Endpoint properties (`authSchemes`, ...), as JSON.
    pub properties: serde_json::Map<String, serde_json::Value>,
}

/// Errors from parsing a rule set or resolving an endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The rule set is malformed. `at` is the JSON location, e.g.
    /// `rules[1].rules[0].conditions[2].argv[0]`.
    InvalidRuleSet {
        /// JSON location.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// A parameter value is missing, unknown or of the wrong type.
    InvalidParams {
        /// Parameter name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// An `error` rule matched; this is its evaluated message.
    Rule(String),
    /// No rule matched (including a `tree` rule none of whose children matched).
    NoMatch {
        /// JSON location of the rule list that was exhausted.
        at: String,
    },
    /// Evaluation failed on a value of an unexpected type or shape.
    Evaluation {
        /// JSON location of the expression.
        at: String,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// The message of a matched `error` rule, if this is one.
    pub fn rule_message(&self) -> Option<&str> {
        match self {
            Error::Rule(message) => Some(message),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRuleSet { at, message } => {
                write!(f, "invalid endpoint rule set at `{at}`: {message}")
            }
            Error::InvalidParams { name, message } if name.is_empty() => {
                write!(f, "invalid endpoint parameters: {message}")
            }
            Error::InvalidParams { name, message } => {
                write!(f, "invalid endpoint parameter `{name}`: {message}")
            }
            Error::Rule(message) => f.write_str(message),
            Error::NoMatch { at } => write!(f, "no endpoint rule matched (rules at `{at}`)"),
            Error::Evaluation { at, message } => {
                write!(f, "endpoint rule evaluation failed at `{at}`: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_set_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + fmt::Debug>() {}
        check::<RuleSet>();
        check::<Endpoint>();
        check::<Error>();
        check::<Params>();
    }
}
