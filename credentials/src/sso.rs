//! SSO credentials (feature `sso`), through the generated `awslim-sso` and `awslim-sso-oidc`
//! clients, from the token `aws sso login` leaves in `~/.aws/sso/cache/<SHA-1 hex>.json`.
//!
//! - `sso_session = NAME` in the profile, with `[sso-session NAME]` holding `sso_start_url`
//!   and `sso_region`: the cache file is named after the SHA-1 of the session name. When the
//!   token expires within 5 minutes and the file holds a refresh token and an unexpired client
//!   registration (`clientId`, `clientSecret`, `registrationExpiresAt`), it is refreshed with
//!   SSO-OIDC `CreateToken` (grant `refresh_token`) and the new token is written back to the
//!   file atomically (a temporary file renamed over it). A failed refresh while the old token is
//!   still valid keeps using it (with a warning), as the AWS SDKs do.
//! - the legacy form, `sso_start_url` and `sso_region` in the profile: the file is named after
//!   the SHA-1 of the start URL; such tokens are never refreshed (as in the SDKs).
//!
//! Then SSO `GetRoleCredentials` (`sso_account_id`, `sso_role_name`; unsigned, the token goes in
//! `x-amz-sso_bearer_token`) gives credentials with the expiry the service returns. Errors name
//! the session or start URL and the reason, never a token or key. Endpoints can be moved with
//! `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aws_runtime::env_config::section::{EnvConfigSections, Profile};
use awslim_runtime::Credentials;
use serde_json::{Map, Value};

use crate::{service, wire, Context};

/// A token expiring within this is refreshed first (when it can be).
pub const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// What a profile says about SSO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSettings {
    /// `sso_session` (`None`: the legacy form).
    pub session: Option<String>,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`: where SSO and SSO-OIDC are called.
    pub region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
}

impl SsoSettings {
    /// Reads the profile (and its `[sso-session]` section). Errors name the missing key.
    pub fn from_profile(sections: &EnvConfigSections, profile: &Profile) -> Result<SsoSettings, String> {
        let need = |key: &str| {
            profile
                .get(key)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("`{key}` is missing"))
        };
        let (session, start_url, region) = match profile.get("sso_session") {
            Some(name) => {
                let section = sections
                    .sso_session(name)
                    .ok_or_else(|| format!("sso_session `{}` has no [sso-session] section", wire::shown(name)))?;
                let get = |key: &str| {
                    section
                        .get(key)
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                        .ok_or_else(|| format!("[sso-session {}] has no `{key}`", wire::shown(name)))
                };
                let (url, region) = (get("sso_start_url")?, get("sso_region")?);
                for (key, value) in [("sso_start_url", &url), ("sso_region", &region)] {
                    if profile.get(key).is_some_and(|v| v.trim() != value) {
                        return Err(format!("`{key}` differs from the one in [sso-session {}]", wire::shown(name)));
                    }
                }
                (Some(name.to_owned()), url, region)
            }
            None => (None, need("sso_start_url")?, need("sso_region")?),
        };
        Ok(SsoSettings {
            session,
            start_url,
            region,
            account_id: need("sso_account_id")?,
            role_name: need("sso_role_name")?,
        })
    }

    /// How errors name it: `sso_session `x`` or `sso_start_url `https://...``.
    fn label(&self) -> String {
        match &self.session {
            Some(s) => format!("sso_session `{}`", wire::shown(s)),
            None => format!("sso_start_url `{}`", wire::shown(&self.start_url)),
        }
    }

    fn login_hint(&self) -> String {
        match &self.session {
            Some(s) => format!("run `aws sso login --sso-session {}`", wire::shown(s)),
            None => "run `aws sso login` for this profile".to_owned(),
        }
    }
}

/// `~/.aws/sso/cache/<hex SHA-1 of key>.json`, key = the session name or (legacy) start URL.
pub fn cache_file(home: &Path, key: &str) -> PathBuf {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    home.join(".aws").join("sso").join("cache").join(format!("{hex}.json"))
}

/// The cached token document (kept whole, so a write-back keeps the fields we do not use).
struct CachedToken {
    doc: Map<String, Value>,
    expires_at: SystemTime,
}

impl CachedToken {
    fn read(path: &Path) -> Result<CachedToken, String> {
        let text = std::fs::read(path).map_err(|e| format!("cannot read the cached token {}: {e}", path.display()))?;
        let doc: Map<String, Value> = serde_json::from_slice(&text)
            .map_err(|e| format!("the cached token {} is not a JSON object ({e})", path.display()))?;
        let token = CachedToken { expires_at: SystemTime::UNIX_EPOCH, doc };
        if token.field("accessToken").is_none() {
            return Err(format!("the cached token {} has no accessToken", path.display()));
        }
        let expires =
            token.field("expiresAt").ok_or_else(|| format!("the cached token {} has no expiresAt", path.display()))?;
        let expires_at =
            wire::parse_rfc3339(expires).map_err(|e| format!("the cached token {}: {e}", path.display()))?;
        Ok(CachedToken { expires_at, ..token })
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.doc.get(name).and_then(Value::as_str).filter(|v| !v.is_empty())
    }

    fn access_token(&self) -> &str {
        self.field("accessToken").unwrap_or_default()
    }

    /// `(clientId, clientSecret, refreshToken)` when the token can be refreshed now.
    fn refresh_inputs(&self, now: SystemTime) -> Option<(&str, &str, &str)> {
        let registration_valid = match self.field("registrationExpiresAt") {
            Some(t) => wire::parse_rfc3339(t).is_ok_and(|t| t > now),
            None => true,
        };
        let inputs = (self.field("clientId")?, self.field("clientSecret")?, self.field("refreshToken")?);
        registration_valid.then_some(inputs)
    }
}

/// The SSO token provider's work for one call: the cached token, refreshed if it must be.
async fn access_token(ctx: &Context, settings: &SsoSettings) -> Result<String, String> {
    let home = ctx.home_dir().ok_or("no home directory (HOME is not set) to find ~/.aws/sso/cache")?;
    let key = settings.session.as_deref().unwrap_or(&settings.start_url);
    let path = cache_file(&home, key);
    let token = CachedToken::read(&path).map_err(|e| format!("{e}; {}", settings.login_hint()))?;
    let now = SystemTime::now();
    if token.expires_at > now + REFRESH_WINDOW {
        return Ok(token.access_token().to_owned());
    }
    let refresh = if settings.session.is_some() { token.refresh_inputs(now) } else { None };
    if let Some((client_id, client_secret, refresh_token)) = refresh {
        match refresh_token_now(ctx, settings, client_id, client_secret, refresh_token).await {
            Ok((access, expires_at, new_refresh)) => {
                write_back(&path, &token, &access, expires_at, new_refresh.as_deref())?;
                return Ok(access);
            }
            Err(e) if token.expires_at > now => {
                tracing::warn!(session = %settings.label(), reason = %e, "refreshing the SSO token failed; using the cached one until it expires");
                return Ok(token.access_token().to_owned());
            }
            Err(e) => return Err(format!("the cached token expired and refreshing it failed: {e}")),
        }
    }
    if token.expires_at > now {
        return Ok(token.access_token().to_owned());
    }
    let why = if settings.session.is_some() {
        "it holds no refresh token and client registration (or the registration expired)"
    } else {
        "tokens of the legacy sso_start_url form are not refreshed"
    };
    Err(format!("the cached token expired and cannot be refreshed ({why}); {}", settings.login_hint()))
}

/// SSO-OIDC `CreateToken` with grant `refresh_token`: (access token, expiry, new refresh token).
async fn refresh_token_now(
    ctx: &Context,
    settings: &SsoSettings,
    client_id: &str,
    client_secret: &str,
    refresh_token: &str,
) -> Result<(String, SystemTime, Option<String>), String> {
    let client = awslim_sso_oidc::Client::new(service::client_config(ctx, "SSO_OIDC", &settings.region).build());
    let input = awslim_sso_oidc::types::CreateTokenRequest::builder()
        .client_id(client_id)
        .client_secret(client_secret)
        .grant_type("refresh_token")
        .refresh_token(refresh_token)
        .build();
    let out = client.create_token(input).await.map_err(|e| format!("SSO-OIDC {e}"))?;
    let access = out.access_token.filter(|t| !t.is_empty()).ok_or("SSO-OIDC CreateToken returned no accessToken")?;
    let lifetime =
        u64::try_from(out.expires_in).ok().filter(|s| *s > 0).ok_or("SSO-OIDC CreateToken returned no expiresIn")?;
    Ok((access, SystemTime::now() + Duration::from_secs(lifetime), out.refresh_token.filter(|t| !t.is_empty())))
}

/// Writes the refreshed token into the cache file: a temporary file beside it, renamed over it.
fn write_back(
    path: &Path,
    old: &CachedToken,
    access: &str,
    expires_at: SystemTime,
    refresh: Option<&str>,
) -> Result<(), String> {
    let mut doc = old.doc.clone();
    doc.insert("accessToken".into(), access.into());
    let expires = time::OffsetDateTime::from(expires_at)
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .ok_or("the refreshed token's expiry cannot be written")?;
    doc.insert("expiresAt".into(), expires.into());
    if let Some(r) = refresh {
        doc.insert("refreshToken".into(), r.into());
    }
    let text = serde_json::to_vec_pretty(&Value::Object(doc)).map_err(|e| e.to_string())?;
    let tmp = path.with_extension(format!("json.tmp-{}-{}", std::process::id(), fastrand::u32(..)));
    let written = write_private(&tmp, &text).and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write the refreshed token to {}: {e}", path.display())
    })
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The role credentials for the profile's `sso_account_id` / `sso_role_name`.
pub async fn credentials(ctx: &Context, settings: &SsoSettings) -> Result<Credentials, String> {
    let label = settings.label();
    let token = access_token(ctx, settings).await.map_err(|e| format!("SSO ({label}): {e}"))?;
    let client = awslim_sso::Client::new(service::client_config(ctx, "SSO", &settings.region).build());
    let input = awslim_sso::types::GetRoleCredentialsRequest::builder()
        .access_token(token)
        .account_id(settings.account_id.clone())
        .role_name(settings.role_name.clone())
        .build();
    let out = client.get_role_credentials(input).await.map_err(|e| format!("SSO ({label}): {e}"))?;
    let what = format!("SSO ({label}): GetRoleCredentials");
    let c = out.role_credentials.ok_or_else(|| format!("{what} returned no roleCredentials"))?;
    let (Some(key), Some(secret)) =
        (c.access_key_id.filter(|v| !v.is_empty()), c.secret_access_key.filter(|v| !v.is_empty()))
    else {
        return Err(format!("{what} returned no accessKeyId or secretAccessKey"));
    };
    let millis = u64::try_from(c.expiration).map_err(|_| format!("{what} returned a negative expiration"))?;
    let mut out = Credentials::new(key, secret).with_expiry(SystemTime::UNIX_EPOCH + Duration::from_millis(millis));
    if let Some(token) = c.session_token.filter(|t| !t.is_empty()) {
        out = out.with_session_token(token);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_file_names_are_the_sha1_of_the_key() {
        // SHA-1 of the session name (aws-config's test uses `admin`) and of a start URL.
        let home = Path::new("/h");
        assert_eq!(
            cache_file(home, "admin"),
            Path::new("/h/.aws/sso/cache/d033e22ae348aeb5660fc2140aec35850c4da997.json")
        );
        assert_eq!(
            cache_file(home, "https://d-123.awsapps.com/start"),
            Path::new("/h/.aws/sso/cache/2b829a45f04c9828cb45b7d092d8e4aa30818393.json")
        );
    }
}
