//! Credentials from the shared config and credentials files (`~/.aws/config`,
//! `~/.aws/credentials`, moved by `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`; profile
//! `AWS_PROFILE`, else `default`), parsed by the official SDK's parser (`aws-runtime`'s
//! `env_config`).
//!
//! A profile is read in this order: `role_arn` (its source credentials from `source_profile`
//! or `credential_source` are loaded, then the assume-role step is reported as needing an
//! STS client, which is not built yet); `sso_session` / `sso_start_url` (needs an SSO
//! client: reported); `web_identity_token_file` (needs STS: reported); `credential_process`;
//! static keys (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`).

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
                let source = self.role_source(name, profile, seen).await?;
                return Err(failed(format!(
                    "`role_arn` needs an STS client (AssumeRole), which is not yet supported; \
                     its source credentials ({source}) loaded fine"
                )));
            }
            for key in ["sso_session", "sso_start_url"] {
                if profile.get(key).is_some() {
                    return Err(failed(format!(
                        "`{key}` needs the SSO and SSO-OIDC clients, which are not yet supported"
                    )));
                }
            }
            if profile.get("web_identity_token_file").is_some() {
                return Err(failed(
                    "`web_identity_token_file` without `role_arn`: web identity needs both (and an STS client)".into(),
                ));
            }
            if let Some(command) = profile.get("credential_process") {
                return process::run(name, command).await;
            }
            static_keys(name, profile)
        })
    }

    /// Loads the credentials a `role_arn` profile would assume the role with; says where they came from.
    async fn role_source(&self, name: &str, profile: &Profile, seen: &mut Vec<String>) -> Result<String, SourceError> {
        let failed = |m: String| SourceError::Failed(format!("profile `{name}`: {m}"));
        let source_profile = profile.get("source_profile");
        let credential_source = profile.get("credential_source");
        if profile.get("web_identity_token_file").is_some() {
            return Err(failed(
                "`web_identity_token_file` needs an STS client (AssumeRoleWithWebIdentity), which is not yet supported"
                    .into(),
            ));
        }
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => Err(failed("has both `source_profile` and `credential_source`; use one".into())),
            (None, None) => Err(failed("`role_arn` needs `source_profile` or `credential_source`".into())),
            (Some(source), None) if source == name => static_keys(name, profile)
                .map(|_| "its own static keys".into())
                .map_err(|e| SourceError::Failed(e.message().to_owned())),
            (Some(source), None) => {
                if seen.iter().any(|s| s == source) || seen.len() >= MAX_CHAIN {
                    return Err(failed(format!(
                        "`source_profile` chain loops or is too long: {} -> {source}",
                        seen.join(" -> ")
                    )));
                }
                self.resolve(source, seen)
                    .await
                    .map(|_| format!("source_profile `{source}`"))
                    .map_err(|e| SourceError::Failed(e.message().to_owned()))
            }
            (None, Some(kind)) => {
                credential_source_credentials(self.ctx, name, kind).await.map(|_| format!("credential_source {kind}"))
            }
        }
    }
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
