//! Interop with the official SDK (feature `aws-sdk-interop`): any
//! `aws_credential_types::provider::ProvideCredentials` (e.g. `aws-config`'s default chain)
//! as an awslim credentials provider, and an SDK region in an awslim config.

use awslim_runtime::transport::BoxFuture;
use awslim_runtime::{ConfigBuilder, Credentials, CredentialsError, ProvideCredentials};

/// Wraps an official SDK credentials provider.
#[derive(Debug, Clone)]
pub struct SdkCredentials<P>(pub P);

impl<P: aws_credential_types::provider::ProvideCredentials> ProvideCredentials for SdkCredentials<P> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let c = aws_credential_types::provider::ProvideCredentials::provide_credentials(&self.0)
                .await
                .map_err(|e| CredentialsError::new(format!("SDK credentials provider: {e}")))?;
            let mut out = Credentials::new(c.access_key_id(), c.secret_access_key());
            if let Some(token) = c.session_token() {
                out = out.with_session_token(token);
            }
            if let Some(expiry) = c.expiry() {
                out = out.with_expiry(expiry);
            }
            Ok(out)
        })
    }
}

/// Sets an SDK provider and (when given) an SDK region on an awslim config builder.
pub fn with_sdk<P>(builder: ConfigBuilder, provider: P, region: Option<&aws_types::region::Region>) -> ConfigBuilder
where
    P: aws_credential_types::provider::ProvideCredentials + 'static,
{
    let builder = builder.credentials(SdkCredentials(provider));
    match region {
        Some(r) => builder.region(r.as_ref()),
        None => builder,
    }
}
