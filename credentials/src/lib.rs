//! The default AWS credentials and region chain for awslim clients.
//!
//! Layered above `awslim-runtime`: every source here implements the runtime's
//! [`ProvideCredentials`], and [`from_env`] / [`load_from_env`] return a runtime
//! [`ConfigBuilder`]. Generated crates never depend on this crate.
//!
//! Credentials are resolved lazily (on the first request) and cached by [`CachingProvider`];
//! the order of the chain is [`DefaultChain`]'s. Secrets never appear in `Debug`, `Display`,
//! errors or logs.
//!
//! ```no_run
//! # async fn example() {
//! // Sync: region from the environment, credentials resolved on the first request.
//! let config: awslim_runtime::Config = awslim_credentials::from_env().build();
//! // Async: the region chain too (profile, then IMDS) when no variable names a region.
//! let config = awslim_credentials::load_from_env().await.app_name("my-app").build();
//! # let _ = config;
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use awslim_runtime::{ConfigBuilder, HttpTransport, HyperTransport, ProvideCredentials};

pub mod cache;
pub mod chain;
pub mod container;
pub mod imds;
#[cfg(feature = "aws-sdk-interop")]
pub mod interop;
pub mod process;
pub mod profile;
pub mod region;
#[cfg(any(feature = "sts", feature = "sso"))]
mod service;
#[cfg(feature = "sso")]
pub mod sso;
#[cfg(feature = "sts")]
pub mod sts;
mod wire;

pub use cache::CachingProvider;
pub use chain::{ChainError, DefaultChain};
pub use region::{load_region, RegionError};

/// What a credentials source found: nothing configured (the chain goes on) or a configured
/// source that failed (the chain stops, as in the AWS SDKs, so that a broken setup is never
/// silently replaced by other credentials). Messages never hold secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The source is not set up here; the message says what was looked for.
    NotConfigured(String),
    /// The source is set up but could not give credentials.
    Failed(String),
}

impl SourceError {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            SourceError::NotConfigured(m) | SourceError::Failed(m) => m,
        }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Where sources read environment variables, files (`HOME`) and send HTTP requests from.
/// [`Context::real`] is the process; tests build one from a map of variables.
#[derive(Clone)]
pub struct Context {
    env: aws_types::os_shim_internal::Env,
    http: Arc<dyn HttpTransport>,
    /// The transport of the STS, SSO and SSO-OIDC clients (a longer connect timeout: these are
    /// internet endpoints, not link-local agents).
    #[cfg_attr(not(any(feature = "sts", feature = "sso")), allow(dead_code))]
    service_http: Arc<dyn HttpTransport>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").finish_non_exhaustive()
    }
}

/// TCP connect timeout of the transport the sources use: IMDS and container endpoints are
/// link-local, so a slow connect means "not here".
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// TCP connect timeout of the STS, SSO and SSO-OIDC clients (the AWS SDKs' default, 3.1 s).
pub const SERVICE_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(3100);

impl Context {
    /// The process environment and the default transport (1 s connect timeout).
    pub fn real() -> Self {
        Context::with_env(aws_types::os_shim_internal::Env::real())
    }

    /// Variables from a map instead of the process environment (`HOME` included).
    pub fn from_vars(vars: HashMap<String, String>) -> Self {
        Context::with_env(vars.into())
    }

    fn with_env(env: aws_types::os_shim_internal::Env) -> Self {
        Context {
            env,
            http: default_transport(),
            service_http: Arc::new(HyperTransport::new(Some(SERVICE_CONNECT_TIMEOUT))),
        }
    }

    /// Uses another transport (for the credential endpoints and the STS/SSO clients alike).
    #[must_use]
    pub fn with_transport(mut self, http: Arc<dyn HttpTransport>) -> Self {
        self.service_http = http.clone();
        self.http = http;
        self
    }

    /// A variable, trimmed; `None` when unset or empty.
    pub fn var(&self, name: &str) -> Option<String> {
        self.env.get(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// Whether a variable is `true` (any case).
    pub(crate) fn var_is_true(&self, name: &str) -> bool {
        self.var(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub(crate) fn env(&self) -> &aws_types::os_shim_internal::Env {
        &self.env
    }

    pub(crate) fn http(&self) -> &Arc<dyn HttpTransport> {
        &self.http
    }

    #[cfg_attr(not(any(feature = "sts", feature = "sso")), allow(dead_code))]
    pub(crate) fn service_http(&self) -> &Arc<dyn HttpTransport> {
        &self.service_http
    }

    /// The home directory (`HOME`, on Windows also `USERPROFILE`), as the SDKs find it.
    #[cfg_attr(not(feature = "sso"), allow(dead_code))]
    pub(crate) fn home_dir(&self) -> Option<std::path::PathBuf> {
        aws_runtime::fs_util::home_dir(&self.env, aws_runtime::fs_util::Os::real()).map(Into::into)
    }
}

fn default_transport() -> Arc<dyn HttpTransport> {
    Arc::new(HyperTransport::new(Some(CONNECT_TIMEOUT)))
}

/// The default chain, cached: what [`from_env`] puts in the config. Nothing is read until the
/// first request asks for credentials.
pub fn default_provider() -> Arc<dyn ProvideCredentials> {
    Arc::new(CachingProvider::new(DefaultChain::new()))
}

/// The runtime's [`awslim_runtime::Config::builder_from_env`] (region from `AWS_REGION` /
/// `AWS_DEFAULT_REGION`, endpoint, retries, ...) with [`default_provider`] as credentials.
/// Synchronous: credentials resolve lazily, on the first request.
pub fn from_env() -> ConfigBuilder {
    awslim_runtime::Config::builder_from_env().credentials_provider(default_provider())
}

/// [`from_env`], and when no environment variable names a region, the region chain
/// ([`load_region`]: profile, then instance metadata). Async because the region is needed
/// when the config is built and may come from IMDS; credentials still resolve lazily.
pub async fn load_from_env() -> ConfigBuilder {
    let builder = from_env();
    match load_region(&Context::real()).await {
        Ok(region) => builder.region(region),
        Err(e) => {
            tracing::debug!(error = %e, "no region found");
            builder
        }
    }
}
