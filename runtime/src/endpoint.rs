//! Endpoint parameters for one call and the resolved endpoint a transport sees.
//!
//! The parameters of the service's endpoint rule set get their values, from lowest to highest
//! precedence (Smithy's rules-engine specification):
//!
//! 1. built-ins from the [`Config`]: `AWS::Region`, `AWS::UseFIPS`, `AWS::UseDualStack`,
//!    `SDK::Endpoint` from their settings, any built-in from
//!    [`ConfigBuilder::endpoint_built_in`](crate::ConfigBuilder::endpoint_built_in);
//! 2. client context parameters ([`ConfigBuilder::client_context_param`](crate::ConfigBuilder::client_context_param));
//! 3. the operation's own parameters, which generated code computes from the input and puts on
//!    the request as [`OperationEndpointParams`]: `operationContextParams`, then `contextParam`
//!    members, then `staticContextParams` (each overriding the one before).
//!
//! Parameters left unset take the rule set's defaults.

use std::sync::Arc;

use awslim_endpoints::{Endpoint, Error, Params, RuleSet, Value};

use crate::client::ServiceMeta;
use crate::config::Config;

/// The endpoint parameters an operation sets from its input and its model, put on the request's
/// extensions by generated code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperationEndpointParams(Params);

impl OperationEndpointParams {
    /// None set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name`, replacing a value set before (so later sources take precedence).
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.0.set(name, value);
        self
    }

    /// The values set, by name.
    pub fn params(&self) -> &Params {
        &self.0
    }
}

/// The endpoint the rules engine resolved for a call (URL, headers, properties such as
/// `authSchemes`). The runtime puts it on every attempt's request extensions, so a transport (or
/// a test's [`StubTransport`](crate::StubTransport)) can see what was resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedEndpoint(pub Arc<Endpoint>);

/// The parameters for one call, in the precedence order described in the module docs.
///
/// # Errors
/// [`Error::InvalidParams`] naming a client context parameter the service does not declare.
pub fn call_params(
    rule_set: &RuleSet,
    service: &ServiceMeta,
    config: &Config,
    operation: Option<&OperationEndpointParams>,
) -> Result<Params, Error> {
    let mut params = Params::new();
    rule_set.bind_built_ins(&mut params, |built_in| built_in_value(config, built_in));
    for (name, value) in config.client_context_params() {
        if !service.client_context_params.contains(&name.as_str()) {
            let known = if service.client_context_params.is_empty() {
                String::from("the service declares none")
            } else {
                format!("the service declares {}", service.client_context_params.join(", "))
            };
            return Err(Error::InvalidParams {
                name: name.clone(),
                message: format!("not a client context parameter of {} ({known})", service.sdk_id),
            });
        }
        params.set(name.clone(), value.clone());
    }
    if let Some(op) = operation {
        for (name, value) in op.params().iter() {
            params.set(name, value.clone());
        }
    }
    Ok(params)
}

/// The value of a built-in the [`Config`] provides.
fn built_in_value(config: &Config, built_in: &str) -> Option<Value> {
    if let Some(value) = config.endpoint_built_ins().get(built_in) {
        return Some(value.clone());
    }
    match built_in {
        "AWS::Region" => config.region().map(Value::from),
        "AWS::UseFIPS" => Some(Value::Bool(config.use_fips())),
        "AWS::UseDualStack" => Some(Value::Bool(config.use_dual_stack())),
        "SDK::Endpoint" => config.endpoint_url().map(Value::from),
        _ => None,
    }
}
