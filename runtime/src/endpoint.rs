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

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

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
    let mut params = config_params(rule_set, service, config)?;
    if let Some(op) = operation {
        add_operation_params(&mut params, op);
    }
    Ok(params)
}

/// The parameters every call of a client shares: built-ins and client context parameters
/// (the [`Config`] does not change, so a client computes them once).
///
/// # Errors
/// [`Error::InvalidParams`] naming a client context parameter the service does not declare.
pub fn config_params(rule_set: &RuleSet, service: &ServiceMeta, config: &Config) -> Result<Params, Error> {
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
    Ok(params)
}

/// Adds an operation's own parameters (they take precedence) to a parameter set.
fn add_operation_params(params: &mut Params, op: &OperationEndpointParams) {
    for (name, value) in op.params().iter() {
        params.set(name, value.clone());
    }
}

/// The parameters of one call, given the client's [`config_params`]: borrowed when the
/// operation adds none (most calls), so looking up the endpoint cache allocates nothing.
pub(crate) fn with_operation<'a>(
    config: &'a Params,
    operation: Option<&OperationEndpointParams>,
) -> std::borrow::Cow<'a, Params> {
    match operation.filter(|op| op.params().iter().next().is_some()) {
        None => std::borrow::Cow::Borrowed(config),
        Some(op) => {
            let mut params = config.clone();
            add_operation_params(&mut params, op);
            std::borrow::Cow::Owned(params)
        }
    }
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

/// Resolved endpoints of one client, keyed by the *full* parameter set of a call: the rules
/// engine runs once per distinct set and stays the only authority (a set it has not seen is
/// always resolved by it; errors are never kept). Bounded: at most [`EndpointCache::CAPACITY`]
/// sets, the least recently used one dropped first, so a client that sees many distinct
/// parameters (e.g. one S3 bucket per call) keeps a small, fixed footprint.
/// `T` is what is kept of a resolution (the client keeps it made ready for requests).
#[derive(Debug)]
pub(crate) struct EndpointCache<T> {
    /// Most recently used last.
    entries: Mutex<VecDeque<(Params, Arc<T>)>>,
}

impl<T> Default for EndpointCache<T> {
    fn default() -> Self {
        EndpointCache { entries: Mutex::default() }
    }
}

impl<T> EndpointCache<T> {
    /// How many parameter sets are kept.
    pub(crate) const CAPACITY: usize = 16;

    /// The endpoint for `params`: cached, else `resolve(&params)` (called without the lock held),
    /// kept when it succeeds.
    pub(crate) fn get_or_resolve<E>(
        &self,
        params: &Params,
        resolve: impl FnOnce(&Params) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(hit) = self.get(params) {
            return Ok(hit);
        }
        let endpoint = Arc::new(resolve(params)?);
        let mut entries = self.lock();
        if !entries.iter().any(|(p, _)| p == params) {
            if entries.len() >= Self::CAPACITY {
                entries.pop_front();
            }
            entries.push_back((params.clone(), Arc::clone(&endpoint)));
        }
        Ok(endpoint)
    }

    fn get(&self, params: &Params) -> Option<Arc<T>> {
        let mut entries = self.lock();
        let i = entries.iter().rposition(|(p, _)| p == params)?;
        let endpoint = Arc::clone(&entries[i].1);
        if i + 1 != entries.len() {
            let entry = entries.remove(i).expect("index found above");
            entries.push_back(entry);
        }
        Some(endpoint)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(Params, Arc<T>)>> {
        // The entries are whole after every step, so a panic elsewhere leaves them usable.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(url: &str) -> Endpoint {
        Endpoint { url: url.to_owned(), ..Default::default() }
    }

    #[test]
    fn resolves_once_per_distinct_parameter_set() {
        let cache = EndpointCache::<Endpoint>::default();
        let mut runs = 0;
        let mut resolve = |region: &str| {
            let params = Params::new().with("Region", region).with("UseFIPS", false);
            cache.get_or_resolve(&params, |p| {
                runs += 1;
                Ok::<_, ()>(endpoint(&format!("https://svc.{:?}", p.get("Region"))))
            })
        };
        let first = resolve("us-west-2").unwrap();
        let again = resolve("us-west-2").unwrap();
        assert!(Arc::ptr_eq(&first, &again), "the second call is served from the cache");
        let other = resolve("eu-west-1").unwrap();
        assert_ne!(first.url, other.url);
        assert_eq!(runs, 2);
        // A set differing in one value only is a different key.
        let fips = Params::new().with("Region", "us-west-2").with("UseFIPS", true);
        let fips = cache.get_or_resolve(&fips, |_| Ok::<_, ()>(endpoint("https://fips"))).unwrap();
        assert_eq!(fips.url, "https://fips");
    }

    #[test]
    fn errors_are_not_kept_and_the_cache_is_bounded() {
        let cache = EndpointCache::<Endpoint>::default();
        let params = |i: usize| Params::new().with("Bucket", format!("b{i}"));
        assert_eq!(cache.get_or_resolve(&params(0), |_| Err("no region")), Err("no region"));
        assert_eq!(
            cache.get_or_resolve(&params(0), |_| Ok::<_, &str>(endpoint("https://a"))).unwrap().url,
            "https://a"
        );
        for i in 1..=EndpointCache::<Endpoint>::CAPACITY {
            cache.get_or_resolve(&params(i), |_| Ok::<_, ()>(endpoint("https://b"))).unwrap();
        }
        assert_eq!(cache.lock().len(), EndpointCache::<Endpoint>::CAPACITY);
        // The oldest set (0) was dropped: the rules engine is asked again.
        let mut asked = false;
        cache
            .get_or_resolve(&params(0), |_| {
                asked = true;
                Ok::<_, ()>(endpoint("https://a"))
            })
            .unwrap();
        assert!(asked);
    }
}
