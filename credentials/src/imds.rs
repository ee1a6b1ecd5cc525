//! EC2 instance metadata (IMDSv2 only): a session token (`PUT /latest/api/token`), then the
//! role name and its credentials, or the region.
//!
//! Settings: `AWS_EC2_METADATA_DISABLED=true` turns it off; the endpoint comes from
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT` (else the profile's `ec2_metadata_service_endpoint`),
//! else from the endpoint mode `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` (else the profile's
//! `ec2_metadata_service_endpoint_mode`): `IPv4` (default, `http://169.254.169.254`) or `IPv6`
//! (`http://[fd00:ec2::254]`). Every request has a 1 s limit and is not retried when the
//! endpoint cannot be reached, so off EC2 the chain ends fast.

use std::time::{Duration, Instant};

use awslim_runtime::transport::BoxFuture;
use awslim_runtime::{Credentials, CredentialsError, ProvideCredentials};
use bytes::Bytes;

use crate::{profile, wire, Context, SourceError};

/// The limit of each IMDS request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);
/// The session token's lifetime asked for (6 hours, the SDKs' value).
pub const TOKEN_TTL_SECONDS: u64 = 21_600;
const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const REGION_PATH: &str = "/latest/meta-data/placement/region";

/// An IMDSv2 client with its session token cached until shortly before its TTL ends.
pub struct ImdsClient {
    ctx: Context,
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
}

/// Never shows the session token.
impl std::fmt::Debug for ImdsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImdsClient").finish_non_exhaustive()
    }
}

impl ImdsClient {
    /// A client reading its settings from `ctx`.
    pub fn new(ctx: Context) -> Self {
        ImdsClient { ctx, token: tokio::sync::Mutex::new(None) }
    }

    /// The endpoint the settings select (`NotConfigured` when IMDS is disabled).
    pub async fn endpoint(&self) -> Result<String, SourceError> {
        if self.ctx.var_is_true("AWS_EC2_METADATA_DISABLED") {
            return Err(SourceError::NotConfigured("AWS_EC2_METADATA_DISABLED is true".into()));
        }
        let profile = profile::selected(&self.ctx).await.ok().flatten();
        let setting = |env: &str, key: &str| {
            self.ctx.var(env).or_else(|| profile.as_ref().and_then(|p| p.get(key).map(str::to_owned)))
        };
        if let Some(url) = setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint") {
            return match url.parse::<http::Uri>() {
                Ok(uri) if matches!(uri.scheme_str(), Some("http" | "https")) && uri.host().is_some() => {
                    Ok(url.trim_end_matches('/').to_owned())
                }
                _ => Err(SourceError::Failed(format!("IMDS endpoint `{}` is not an http(s) URL", wire::shown(&url)))),
            };
        }
        match setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode") {
            None => Ok("http://169.254.169.254".into()),
            Some(m) if m.eq_ignore_ascii_case("ipv4") => Ok("http://169.254.169.254".into()),
            Some(m) if m.eq_ignore_ascii_case("ipv6") => Ok("http://[fd00:ec2::254]".into()),
            Some(m) => {
                Err(SourceError::Failed(format!("IMDS endpoint mode `{}` is neither IPv4 nor IPv6", wire::shown(&m))))
            }
        }
    }

    async fn token(&self, base: &str, renew: bool) -> Result<String, SourceError> {
        let mut slot = self.token.lock().await;
        if let Some((token, valid_until)) = slot.as_ref().filter(|_| !renew) {
            if Instant::now() < *valid_until {
                return Ok(token.clone());
            }
        }
        let request = http::Request::put(format!("{base}{TOKEN_PATH}"))
            .header("x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS.to_string())
            .body(Bytes::new())
            .map_err(|e| SourceError::Failed(format!("IMDS: {e}")))?;
        let response = wire::send(&self.ctx, request, REQUEST_TIMEOUT)
            .await
            .map_err(|e| SourceError::NotConfigured(format!("IMDS at {base} not reachable: {e}")))?;
        if !response.status().is_success() {
            return Err(SourceError::NotConfigured(format!(
                "IMDS at {base} refused a session token (HTTP {}); IMDSv1 is not used",
                response.status().as_u16()
            )));
        }
        let token = String::from_utf8_lossy(response.body()).trim().to_owned();
        let ttl = response
            .headers()
            .get("x-aws-ec2-metadata-token-ttl-seconds")
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
            .unwrap_or(TOKEN_TTL_SECONDS);
        // Renewed a minute early (or at once for very short TTLs).
        let valid_until = Instant::now() + Duration::from_secs(ttl.saturating_sub(60));
        *slot = Some((token.clone(), valid_until));
        Ok(token)
    }

    /// `GET path` with a session token; a 401 (stale token) gets a new token and one retry.
    pub async fn get(&self, path: &str) -> Result<String, SourceError> {
        let base = self.endpoint().await?;
        for renew in [false, true] {
            let token = self.token(&base, renew).await?;
            let request = http::Request::get(format!("{base}{path}"))
                .header("x-aws-ec2-metadata-token", token)
                .body(Bytes::new())
                .map_err(|e| SourceError::Failed(format!("IMDS: {e}")))?;
            let response = wire::send(&self.ctx, request, REQUEST_TIMEOUT)
                .await
                .map_err(|e| SourceError::NotConfigured(format!("IMDS at {base}: {path}: {e}")))?;
            match response.status().as_u16() {
                200 => return Ok(String::from_utf8_lossy(response.body()).into_owned()),
                401 if !renew => continue,
                status => {
                    return Err(SourceError::NotConfigured(format!("IMDS at {base}: {path}: HTTP {status}")));
                }
            }
        }
        Err(SourceError::NotConfigured(format!("IMDS at {base}: {path}: the session token was refused twice")))
    }

    /// The instance role's credentials.
    pub async fn credentials(&self) -> Result<Credentials, SourceError> {
        let roles = self.get(CREDENTIALS_PATH).await?;
        let role = roles.lines().next().map(str::trim).filter(|r| !r.is_empty()).ok_or_else(|| {
            SourceError::NotConfigured("IMDS: the instance has no IAM role (instance profile)".into())
        })?;
        if role.contains(['/', '?', '#']) || role.contains("..") {
            return Err(SourceError::Failed(format!("IMDS: role name `{}` is not a name", wire::shown(role))));
        }
        let body = self.get(&format!("{CREDENTIALS_PATH}{role}")).await?;
        wire::parse_credentials(body.as_bytes(), "IMDS").map_err(SourceError::Failed)
    }

    /// The instance's region.
    pub async fn region(&self) -> Result<String, SourceError> {
        let region = self.get(REGION_PATH).await?;
        let region = region.trim();
        if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(SourceError::Failed(format!("IMDS: region `{}` is not a region name", wire::shown(region))));
        }
        Ok(region.to_owned())
    }
}

impl ProvideCredentials for ImdsClient {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move { self.credentials().await.map_err(|e| CredentialsError::new(e.to_string())) })
    }
}
