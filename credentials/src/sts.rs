//! Role credentials from STS (feature `sts`), through the generated `awslim-sts` client:
//! `AssumeRole` (profiles with `role_arn`, each `source_profile` hop signed with the previous
//! hop's credentials) and `AssumeRoleWithWebIdentity` (EKS IRSA: `AWS_WEB_IDENTITY_TOKEN_FILE` +
//! `AWS_ROLE_ARN`, or a profile's `web_identity_token_file`; unsigned, the token file is read
//! again on every call because it is rotated).
//!
//! Region: `AWS_REGION` / `AWS_DEFAULT_REGION`, else the profile's `region`, else `us-east-1`
//! (where STS's global endpoint lives; what the AWS SDK for JavaScript does for role
//! credentials). Endpoints are regional (`sts.<region>.amazonaws.com`), the AWS SDKs' default;
//! `AWS_STS_REGIONAL_ENDPOINTS=legacy` (or `sts_regional_endpoints = legacy` in the profile)
//! sets the endpoint rules' `AWS::STS::UseGlobalEndpoint`, so the regions that used the global
//! endpoint before regional ones existed go to `sts.amazonaws.com` (signed for `us-east-1`),
//! as botocore and the AWS SDK for JavaScript v3 do. `AWS_ENDPOINT_URL_STS` overrides the
//! endpoint.

use std::time::SystemTime;

use awslim_runtime::{ConfigBuilder, Credentials};
use awslim_sts::types::{AssumeRoleRequest, AssumeRoleWithWebIdentityRequest};

pub use crate::profile::RoleSettings;
use crate::{service, wire, Context};

/// The region when none is configured.
pub const DEFAULT_REGION: &str = "us-east-1";

fn session_name(role: &RoleSettings) -> String {
    role.session_name.clone().unwrap_or_else(default_session_name)
}

/// `awslim-<unix milliseconds>`, the SDKs' pattern (`aws-sdk-rust-<ms>`, `botocore-session-<s>`).
pub fn default_session_name() -> String {
    let millis = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    format!("awslim-{millis}")
}

/// Where STS is called: region and endpoint choice (see the module docs).
#[derive(Debug, Clone)]
pub struct StsEndpoint {
    /// The signing and endpoint region.
    pub region: String,
    /// `AWS_STS_REGIONAL_ENDPOINTS=legacy`: the global endpoint for the legacy regions.
    pub use_global_endpoint: bool,
}

impl StsEndpoint {
    /// From the environment, then the profile's `region` and `sts_regional_endpoints`.
    pub fn resolve(
        ctx: &Context,
        profile_region: Option<&str>,
        profile_regional: Option<&str>,
    ) -> Result<StsEndpoint, String> {
        let region = ctx
            .var("AWS_REGION")
            .or_else(|| ctx.var("AWS_DEFAULT_REGION"))
            .or_else(|| profile_region.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let (setting, source) = match ctx.var("AWS_STS_REGIONAL_ENDPOINTS") {
            Some(v) => (Some(v), "AWS_STS_REGIONAL_ENDPOINTS"),
            None => (profile_regional.map(|v| v.trim().to_owned()), "sts_regional_endpoints"),
        };
        let use_global_endpoint = match setting.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("regional") => false,
            Some("legacy") => true,
            Some(_) => {
                return Err(format!(
                    "{source} `{}` is not `regional` or `legacy`",
                    wire::shown(setting.as_deref().unwrap_or(""))
                ))
            }
        };
        Ok(StsEndpoint { region, use_global_endpoint })
    }

    fn config(&self, ctx: &Context) -> ConfigBuilder {
        let builder = service::client_config(ctx, "STS", &self.region);
        if self.use_global_endpoint {
            builder.endpoint_built_in("AWS::STS::UseGlobalEndpoint", true)
        } else {
            builder
        }
    }
}

/// `AssumeRole` signed with `source`; the credentials STS returns, with their expiry.
pub async fn assume_role(
    ctx: &Context,
    endpoint: &StsEndpoint,
    role: &RoleSettings,
    source: Credentials,
) -> Result<Credentials, String> {
    let client = awslim_sts::Client::new(endpoint.config(ctx).credentials(source).build());
    let input = AssumeRoleRequest::builder()
        .role_arn(role.role_arn.clone())
        .role_session_name(session_name(role))
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration_seconds)
        .build();
    let what = format!("AssumeRole {}", wire::shown(&role.role_arn));
    let output = client.assume_role(input).await.map_err(|e| format!("{what}: {e}"))?;
    credentials(output.credentials, &what)
}

/// `AssumeRoleWithWebIdentity` with the token read from `token_file` now (unsigned).
pub async fn assume_role_with_web_identity(
    ctx: &Context,
    endpoint: &StsEndpoint,
    role: &RoleSettings,
    token_file: &str,
) -> Result<Credentials, String> {
    let token = std::fs::read_to_string(token_file)
        .map_err(|e| format!("web identity token file `{}`: {e}", wire::shown(token_file)))?;
    let token = token.trim();
    if token.is_empty() {
        return Err(format!("web identity token file `{}` is empty", wire::shown(token_file)));
    }
    let client = awslim_sts::Client::new(endpoint.config(ctx).build());
    let input = AssumeRoleWithWebIdentityRequest::builder()
        .role_arn(role.role_arn.clone())
        .role_session_name(session_name(role))
        .web_identity_token(token)
        .set_duration_seconds(role.duration_seconds)
        .build();
    let what = format!("AssumeRoleWithWebIdentity {}", wire::shown(&role.role_arn));
    let output = client.assume_role_with_web_identity(input).await.map_err(|e| format!("{what}: {e}"))?;
    credentials(output.credentials, &what)
}

fn credentials(c: Option<awslim_sts::types::Credentials>, what: &str) -> Result<Credentials, String> {
    let c = c.ok_or_else(|| format!("{what}: the response has no Credentials"))?;
    if c.access_key_id.is_empty() || c.secret_access_key.is_empty() {
        return Err(format!("{what}: the response has no AccessKeyId or SecretAccessKey"));
    }
    let expiry = service::system_time(c.expiration.secs(), c.expiration.subsec_nanos())
        .ok_or_else(|| format!("{what}: the Expiration is out of range"))?;
    let mut out = Credentials::new(c.access_key_id, c.secret_access_key).with_expiry(expiry);
    if !c.session_token.is_empty() {
        out = out.with_session_token(c.session_token);
    }
    Ok(out)
}
