//! Credentials from the shared config and credentials files (`~/.aws/config`,
//! `~/.aws/credentials`, moved by `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`; profile
//! `AWS_PROFILE`, else `default`), parsed by the official SDK's parser (`aws-runtime`'s
//! `env_config`).
//!
//! A profile is read in this order:
//! - `role_arn`: with `web_identity_token_file`, STS `AssumeRoleWithWebIdentity`; else the
//!   source credentials from `source_profile` (itself resolved the same way, so role chains
//!   work, with loop detection; `source_profile` naming the profile itself means its own
//!   static keys) or `credential_source` (`Environment`, `Ec2InstanceMetadata`,
//!   `EcsContainer`), then STS `AssumeRole` signed with them, with `role_session_name`
//!   (default `awslim-<unix ms>`), `external_id` and `duration_seconds`. `mfa_serial` is an
//!   error (unsupported), never ignored. Feature `sts`.
//! - `sso_session` / `sso_start_url`: [`crate::sso`] (feature `sso`).
//! - `credential_process`; static keys (`aws_access_key_id`, `aws_secret_access_key`,
//!   `aws_session_token`).

use std::borrow::Cow;

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_runtime::env_config::section::{EnvConfigSections, Profile};
use awslim_runtime::transport::BoxFuture;
use awslim_runtime::{Credentials, CredentialsError, EnvironmentCredentials, ProvideCredentials};

use crate::container::ContainerCredentials;
use crate::imds::ImdsClient;
use crate::{process, Context, SourceError};

/// The longest `source_profile` chain followed.
const MAX_CHAIN: usize = 8;

/// Loads and parses the files. `Ok(None)` when neither file exists.
pub async fn load(ctx: &Context, profile: Option<&str>) -> Result<Option<EnvConfigSections>, SourceError> {
    let mut source = aws_runtime::env_config::source::load(
        ctx.env(),
        &aws_types::os_shim_internal::Fs::real(),
        &EnvConfigFiles::default(),
    )
    .await
    .map_err(|e| SourceError::Failed(format!("shared config files: {e}")))?;
    if let Some(name) = profile {
        source.profile = Cow::Owned(name.to_owned());
    }
    let sections =
        EnvConfigSections::parse(source).map_err(|e| SourceError::Failed(format!("shared config files: {e}")))?;
    Ok((!sections.is_empty()).then_some(sections))
}

/// The selected profile (`AWS_PROFILE`, else `default`), `Ok(None)` when there is none.
pub async fn selected(ctx: &Context) -> Result<Option<Profile>, SourceError> {
    let Some(sections) = load(ctx, None).await? else { return Ok(None) };
    Ok(sections.get_profile(sections.selected_profile()).cloned())
}

/// The profile credentials source.
#[derive(Debug, Clone)]
pub struct ProfileCredentials {
    ctx: Context,
    profile: Option<String>,
}

impl ProfileCredentials {
    /// The profile named by `AWS_PROFILE`, else `default`.
    pub fn new(ctx: Context) -> Self {
        ProfileCredentials { ctx, profile: None }
    }

    /// A named profile.
    #[must_use]
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Loads the files now and resolves the profile.
    pub async fn credentials(&self) -> Result<Credentials, SourceError> {
        let explicit = self.profile.clone().or_else(|| self.ctx.var("AWS_PROFILE"));
        // No files at all is "not set up" even when AWS_PROFILE is set (as in `aws-config`): a
        // globally exported AWS_PROFILE must not stop the chain inside a container.
        let Some(sections) = load(&self.ctx, self.profile.as_deref()).await? else {
            return Err(SourceError::NotConfigured("no shared config or credentials file".into()));
        };
        let name = sections.selected_profile().to_owned();
        if sections.get_profile(&name).is_none() {
            let message = format!("profile `{name}` is not in the shared config files");
            return Err(if explicit.is_some() {
                SourceError::Failed(message)
            } else {
                SourceError::NotConfigured(message)
            });
        }
        Resolver { ctx: &self.ctx, sections: &sections }.resolve(&name, &mut Vec::new()).await
    }
}

struct Resolver<'a> {
    ctx: &'a Context,
    sections: &'a EnvConfigSections,
}

impl Resolver<'_> {
    fn resolve<'s>(
        &'s self,
        name: &'s str,
        seen: &'s mut Vec<String>,
    ) -> BoxFuture<'s, Result<Credentials, SourceError>> {
        Box::pin(async move {
            let failed = |m: String| SourceError::Failed(format!("profile `{name}`: {m}"));
            let profile =
                self.sections.get_profile(name).ok_or_else(|| failed("is not in the shared config files".into()))?;
            seen.push(name.to_owned());
            if profile.get("role_arn").is_some() {
                return self.assume_role(name, profile, seen).await;
            }
            if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
                return sso(self.ctx, self.sections, profile).await.map_err(failed);
            }
            if profile.get("web_identity_token_file").is_some() {
                return Err(failed("`web_identity_token_file` without `role_arn`: web identity needs both".into()));
            }
            if let Some(command) = profile.get("credential_process") {
                return process::run(name, command).await;
            }
            static_keys(name, profile)
        })
    }

    /// A `role_arn` profile: web identity, or AssumeRole with the source credentials.
    async fn assume_role(
        &self,
        name: &str,
        profile: &Profile,
        seen: &mut Vec<String>,
    ) -> Result<Credentials, SourceError> {
        let failed = |m: String| SourceError::Failed(format!("profile `{name}`: {m}"));
        let role = role_settings(profile).map_err(failed)?;
        let selected = self.sections.get_profile(self.sections.selected_profile());
        let setting = |key: &str| profile.get(key).or_else(|| selected.and_then(|p| p.get(key)));
        let endpoint = (setting("region"), setting("sts_regional_endpoints"));
        if let Some(file) = profile.get("web_identity_token_file") {
            return web_identity(self.ctx, endpoint, &role, file).await.map_err(failed);
        }
        if profile.get("mfa_serial").is_some() {
            return Err(failed(
                "`mfa_serial` is not supported: an MFA-protected role needs a token code typed in by a person, \
                 which awslim-credentials does not prompt for (use `credential_process` with a tool that does)"
                    .into(),
            ));
        }
        let source = self.role_source(name, profile, seen).await?;
        assume_role(self.ctx, endpoint, &role, source).await.map_err(failed)
    }

    /// The credentials a `role_arn` profile assumes the role with.
    async fn role_source(
        &self,
        name: &str,
        profile: &Profile,
        seen: &mut Vec<String>,
    ) -> Result<Credentials, SourceError> {
        let failed = |m: String| SourceError::Failed(format!("profile `{name}`: {m}"));
        match (profile.get("source_profile"), profile.get("credential_source")) {
            (Some(_), Some(_)) => Err(failed("has both `source_profile` and `credential_source`; use one".into())),
            (None, None) => Err(failed("`role_arn` needs `source_profile` or `credential_source`".into())),
            (Some(source), None) if source == name => {
                static_keys(name, profile).map_err(|e| SourceError::Failed(e.message().to_owned()))
            }
            (Some(source), None) => {
                if seen.iter().any(|s| s == source) || seen.len() >= MAX_CHAIN {
                    return Err(failed(format!(
                        "`source_profile` chain loops or is too long: {} -> {source}",
                        seen.join(" -> ")
                    )));
                }
                self.resolve(source, seen).await.map_err(|e| SourceError::Failed(e.message().to_owned()))
            }
            (None, Some(kind)) => credential_source_credentials(self.ctx, name, kind).await,
        }
    }
}

/// `role_arn`, `role_session_name`, `external_id`, `duration_seconds` of a profile.
fn role_settings(profile: &Profile) -> Result<RoleSettings, String> {
    let duration_seconds = match profile.get("duration_seconds").map(str::trim) {
        None => None,
        Some(text) => Some(text.parse::<i32>().ok().filter(|d| *d > 0).ok_or_else(|| {
            format!("`duration_seconds` `{}` is not a positive number of seconds", crate::wire::shown(text))
        })?),
    };
    let non_empty = |key: &str| profile.get(key).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    Ok(RoleSettings {
        role_arn: non_empty("role_arn").ok_or("`role_arn` is empty")?,
        session_name: non_empty("role_session_name"),
        external_id: non_empty("external_id"),
        duration_seconds,
    })
}

/// One assume-role step: the role and the keys that shape the call (parsed the same with the
/// `sts` feature off, so a bad value is reported either way).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSettings {
    /// `role_arn` / `AWS_ROLE_ARN`.
    pub role_arn: String,
    /// `role_session_name` / `AWS_ROLE_SESSION_NAME`; default `awslim-<unix milliseconds>`.
    pub session_name: Option<String>,
    /// `external_id` (AssumeRole only).
    pub external_id: Option<String>,
    /// `duration_seconds`; default: the service's (one hour).
    pub duration_seconds: Option<i32>,
}

/// `(region, sts_regional_endpoints)` from the profile.
type StsSettings<'a> = (Option<&'a str>, Option<&'a str>);

#[cfg(feature = "sts")]
async fn assume_role(
    ctx: &Context,
    (region, regional): StsSettings<'_>,
    role: &RoleSettings,
    source: Credentials,
) -> Result<Credentials, String> {
    let endpoint = crate::sts::StsEndpoint::resolve(ctx, region, regional)?;
    crate::sts::assume_role(ctx, &endpoint, role, source).await
}

/// Web identity with the role of a profile or of `AWS_ROLE_ARN`.
#[cfg(feature = "sts")]
pub(crate) async fn web_identity(
    ctx: &Context,
    (region, regional): StsSettings<'_>,
    role: &RoleSettings,
    token_file: &str,
) -> Result<Credentials, String> {
    let endpoint = crate::sts::StsEndpoint::resolve(ctx, region, regional)?;
    crate::sts::assume_role_with_web_identity(ctx, &endpoint, role, token_file).await
}

#[cfg(not(feature = "sts"))]
async fn assume_role(_: &Context, _: StsSettings<'_>, _: &RoleSettings, _: Credentials) -> Result<Credentials, String> {
    Err(NO_STS.replace("{what}", "`role_arn` (AssumeRole)"))
}

#[cfg(not(feature = "sts"))]
pub(crate) async fn web_identity(
    _: &Context,
    _: StsSettings<'_>,
    _: &RoleSettings,
    _: &str,
) -> Result<Credentials, String> {
    Err(NO_STS.replace("{what}", "web identity (AssumeRoleWithWebIdentity)"))
}

#[cfg(not(feature = "sts"))]
const NO_STS: &str = "{what} needs the `sts` feature of awslim-credentials, which this build leaves off";

#[cfg(feature = "sso")]
async fn sso(ctx: &Context, sections: &EnvConfigSections, profile: &Profile) -> Result<Credentials, String> {
    let settings = crate::sso::SsoSettings::from_profile(sections, profile)?;
    crate::sso::credentials(ctx, &settings).await
}

#[cfg(not(feature = "sso"))]
async fn sso(_: &Context, _: &EnvConfigSections, _: &Profile) -> Result<Credentials, String> {
    Err("`sso_session` / `sso_start_url` need the `sso` feature of awslim-credentials, which this build leaves off"
        .into())
}

/// `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`.
pub async fn credential_source_credentials(
    ctx: &Context,
    profile: &str,
    kind: &str,
) -> Result<Credentials, SourceError> {
    let failed = |m: String| SourceError::Failed(format!("profile `{profile}`: credential_source {kind}: {m}"));
    match kind {
        "Environment" => EnvironmentCredentials::load_with(|n| ctx.var(n)).map_err(|e| failed(e.to_string())),
        "Ec2InstanceMetadata" => ImdsClient::new(ctx.clone()).credentials().await.map_err(|e| failed(e.to_string())),
        "EcsContainer" => ContainerCredentials::new(ctx.clone()).credentials().await.map_err(|e| failed(e.to_string())),
        _ => Err(SourceError::Failed(format!(
            "profile `{profile}`: credential_source `{}` is not one of Environment, Ec2InstanceMetadata, EcsContainer",
            crate::wire::shown(kind)
        ))),
    }
}

fn static_keys(name: &str, profile: &Profile) -> Result<Credentials, SourceError> {
    match (profile.get("aws_access_key_id"), profile.get("aws_secret_access_key")) {
        (Some(key), Some(secret)) if !key.is_empty() && !secret.is_empty() => {
            let mut c = Credentials::new(key, secret);
            if let Some(token) = profile.get("aws_session_token").filter(|t| !t.is_empty()) {
                c = c.with_session_token(token);
            }
            Ok(c)
        }
        (Some(_), _) => {
            Err(SourceError::Failed(format!("profile `{name}` has aws_access_key_id but no aws_secret_access_key")))
        }
        (None, Some(_)) => {
            Err(SourceError::Failed(format!("profile `{name}` has aws_secret_access_key but no aws_access_key_id")))
        }
        (None, None) => Err(SourceError::NotConfigured(format!("profile `{name}` has no credentials"))),
    }
}

impl ProvideCredentials for ProfileCredentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move { self.credentials().await.map_err(|e| CredentialsError::new(e.to_string())) })
    }
}
