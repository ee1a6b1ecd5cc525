//! [`DefaultChain`]: the credential sources in the order the AWS SDKs document.
//!
//! 1. environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
//! 2. the shared config and credentials files ([`crate::profile`]);
//! 3. web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, optionally
//!    `AWS_ROLE_SESSION_NAME`): STS `AssumeRoleWithWebIdentity` (feature `sts`), the token file
//!    read again on every refresh;
//! 4. container credentials ([`crate::container`]);
//! 5. EC2 instance metadata, IMDSv2 ([`crate::imds`]).
//!
//! A source that is not set up lets the chain go on; one that is set up but fails stops it
//! (e.g. a profile with a broken `credential_process` never falls through to the instance
//! role), as in the AWS SDKs. The error lists every source tried and what each said.

use std::fmt;

use awslim_runtime::transport::BoxFuture;
use awslim_runtime::{Credentials, CredentialsError, EnvironmentCredentials, ProvideCredentials};

use crate::container::ContainerCredentials;
use crate::imds::ImdsClient;
use crate::profile::ProfileCredentials;
use crate::{Context, SourceError};

/// The sources of the chain, by name.
pub const SOURCES: [&str; 5] = ["environment", "profile", "web identity", "container", "IMDS"];

/// The default credentials chain (not cached: wrap it in [`crate::CachingProvider`], as
/// [`crate::default_provider`] does).
#[derive(Debug)]
pub struct DefaultChain {
    ctx: Context,
    profile: ProfileCredentials,
    container: ContainerCredentials,
    imds: ImdsClient,
}

/// Why the chain gave no credentials: each source tried and what it said (no secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    /// `(source, what it said)`, in chain order.
    pub tried: Vec<(&'static str, SourceError)>,
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tried.last() {
            Some((source, e @ SourceError::Failed(_))) => write!(f, "credentials from {source} failed: {e}")?,
            _ => f.write_str("no credentials found")?,
        }
        let earlier: Vec<String> = self
            .tried
            .iter()
            .filter(|(_, e)| matches!(e, SourceError::NotConfigured(_)))
            .map(|(s, e)| format!("{s}: {e}"))
            .collect();
        if !earlier.is_empty() {
            write!(f, " (tried {})", earlier.join("; "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ChainError {}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultChain {
    /// The chain reading the process environment.
    pub fn new() -> Self {
        Self::with_context(Context::real())
    }

    /// The chain reading `ctx`.
    pub fn with_context(ctx: Context) -> Self {
        DefaultChain {
            profile: ProfileCredentials::new(ctx.clone()),
            container: ContainerCredentials::new(ctx.clone()),
            imds: ImdsClient::new(ctx.clone()),
            ctx,
        }
    }

    async fn source(&self, name: &str) -> Result<Credentials, SourceError> {
        match name {
            "environment" => self.environment(),
            "profile" => self.profile.credentials().await,
            "web identity" => self.web_identity().await,
            "container" => self.container.credentials().await,
            _ => self.imds.credentials().await,
        }
    }

    fn environment(&self) -> Result<Credentials, SourceError> {
        if self.ctx.var("AWS_ACCESS_KEY_ID").is_none() {
            return Err(SourceError::NotConfigured("AWS_ACCESS_KEY_ID is not set".into()));
        }
        EnvironmentCredentials::load_with(|n| self.ctx.var(n)).map_err(|e| SourceError::Failed(e.to_string()))
    }

    async fn web_identity(&self) -> Result<Credentials, SourceError> {
        let (file, role_arn) = match (self.ctx.var("AWS_WEB_IDENTITY_TOKEN_FILE"), self.ctx.var("AWS_ROLE_ARN")) {
            (None, None) => return Err(SourceError::NotConfigured("AWS_WEB_IDENTITY_TOKEN_FILE is not set".into())),
            (Some(file), Some(role)) => (file, role),
            (Some(_), None) | (None, Some(_)) => {
                return Err(SourceError::Failed(
                    "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must be set together".into(),
                ))
            }
        };
        let role = crate::profile::RoleSettings {
            role_arn,
            session_name: self.ctx.var("AWS_ROLE_SESSION_NAME"),
            ..Default::default()
        };
        // The STS region and endpoint setting may come from the selected profile.
        let profile = crate::profile::selected(&self.ctx).await.ok().flatten();
        let get = |key: &str| profile.as_ref().and_then(|p| p.get(key));
        crate::profile::web_identity(&self.ctx, (get("region"), get("sts_regional_endpoints")), &role, &file)
            .await
            .map_err(SourceError::Failed)
    }

    /// Runs the chain: the first source with credentials wins.
    pub async fn load(&self) -> Result<Credentials, ChainError> {
        let mut tried = Vec::new();
        for name in SOURCES {
            match self.source(name).await {
                Ok(c) => {
                    tracing::debug!(source = name, "loaded credentials");
                    return Ok(c);
                }
                Err(e) => {
                    tracing::debug!(source = name, reason = %e, "no credentials from this source");
                    let stop = matches!(e, SourceError::Failed(_));
                    tried.push((name, e));
                    if stop {
                        break;
                    }
                }
            }
        }
        Err(ChainError { tried })
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move { self.load().await.map_err(|e| CredentialsError::new(e.to_string())) })
    }
}
