//! What the STS, SSO and SSO-OIDC clients share: their runtime configuration.

use awslim_runtime::{Config, ConfigBuilder};

use crate::Context;

/// The configuration of a service client the chain calls: `region`, the context's transport,
/// and the endpoint URL the AWS SDKs take from `AWS_ENDPOINT_URL_<SERVICE>` (e.g.
/// `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_SSO_OIDC`), else `AWS_ENDPOINT_URL`, unless
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`. No credentials: each caller sets what the
/// operation is signed with (an empty provider for the unsigned ones, so ambient credentials
/// are never sent along).
pub(crate) fn client_config(ctx: &Context, service_env: &str, region: &str) -> ConfigBuilder {
    let mut builder =
        Config::builder().region(region).transport_arc(ctx.service_http().clone()).credentials(NoCredentials);
    if !ctx.var_is_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
        if let Some(url) = ctx.var(&format!("AWS_ENDPOINT_URL_{service_env}")).or_else(|| ctx.var("AWS_ENDPOINT_URL")) {
            builder = builder.endpoint_url(url);
        }
    }
    builder
}

/// Seconds since the Unix epoch as a `SystemTime` (`None` before 1970 or out of range).
pub(crate) fn system_time(seconds: i64, nanos: u32) -> Option<std::time::SystemTime> {
    let seconds = u64::try_from(seconds).ok()?;
    std::time::SystemTime::UNIX_EPOCH.checked_add(std::time::Duration::new(seconds, nanos))
}

/// The credentials of an unsigned call: none (so the client falls to its no-auth scheme).
#[derive(Debug)]
struct NoCredentials;

impl awslim_runtime::ProvideCredentials for NoCredentials {
    fn provide_credentials(
        &self,
    ) -> awslim_runtime::transport::BoxFuture<'_, Result<awslim_runtime::Credentials, awslim_runtime::CredentialsError>>
    {
        Box::pin(async { Err(awslim_runtime::CredentialsError::new("this call is made without credentials")) })
    }
}
