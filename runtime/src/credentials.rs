//! AWS credentials and where they come from.
//!
//! Built in: static credentials ([`Credentials`] itself is a provider), environment variables
//! ([`EnvironmentCredentials`]), and with the `aws-config` cargo feature the shared
//! `~/.aws/config` / `~/.aws/credentials` files with profiles (`ProfileCredentials`).
//! Anything else: implement [`ProvideCredentials`].
//!
//! Secrets never appear in `Debug` output. [`Config`](crate::Config) caches whatever provider it
//! is given ([`cache`]).

pub mod cache;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::transport::BoxFuture;

/// An access key, its secret, and an optional session token.
///
/// Cheap to clone (the texts are shared): the identity cache hands out a clone on every call.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: Arc<str>,
    secret_access_key: Arc<str>,
    session_token: Option<Arc<str>>,
    expires_after: Option<SystemTime>,
}

impl Credentials {
    /// Long-term credentials (no session token, no expiry).
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: Arc::from(access_key_id.into()),
            secret_access_key: Arc::from(secret_access_key.into()),
            session_token: None,
            expires_after: None,
        }
    }
    /// Adds a session token (temporary credentials).
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(Arc::from(token.into()));
        self
    }
    /// Sets when these credentials stop working.
    #[must_use]
    pub fn with_expiry(mut self, expires_after: SystemTime) -> Self {
        self.expires_after = Some(expires_after);
        self
    }
    /// The access key id (not secret, shown in `Debug`).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }
    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }
    /// When these credentials expire, if they do.
    pub fn expires_after(&self) -> Option<SystemTime> {
        self.expires_after
    }

    /// For the official signer (SigV4a, event-stream messages).
    #[cfg(any(feature = "sigv4a", feature = "event-stream-signing"))]
    pub(crate) fn to_aws(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            &*self.access_key_id,
            &*self.secret_access_key,
            self.session_token.as_deref().map(str::to_owned),
            self.expires_after,
            "awslim",
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &self.session_token.as_ref().map(|_| "** redacted **"))
            .field("expires_after", &self.expires_after)
            .finish()
    }
}

/// Credentials could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    message: String,
}

impl CredentialsError {
    /// An error with a message (must not contain secrets).
    pub fn new(message: impl Into<String>) -> Self {
        CredentialsError { message: message.into() }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {}

/// A source of credentials. [`Config`](crate::Config) wraps it in a
/// [`CachingProvider`](cache::CachingProvider) unless [`caches_itself`](Self::caches_itself)
/// says otherwise, so it is asked only when the cached credentials near their expiry.
///
/// `Debug` implementations must not print secrets.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Loads credentials.
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;

    /// Whether this provider caches (or has nothing to refresh) itself, so that the client
    /// must not wrap it in another cache (smithy-rs's `IdentityCacheLocation::IdentityResolver`).
    /// Default `false`: the client caches it.
    fn caches_itself(&self) -> bool {
        false
    }

    /// Credentials this provider has at hand, to use without loading: static credentials, or
    /// a cache's entry that needs no refresh yet. `None` (the default): the client asks
    /// [`provide_credentials`](Self::provide_credentials). A call that gets them here skips a
    /// boxed future.
    fn ready_credentials(&self) -> Option<Credentials> {
        None
    }
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let c = self.clone();
        Box::pin(async move { Ok(c) })
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        Some(self.clone())
    }

    /// Static credentials need no cache.
    fn caches_itself(&self) -> bool {
        true
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials()
    }

    fn caches_itself(&self) -> bool {
        (**self).caches_itself()
    }

    fn ready_credentials(&self) -> Option<Credentials> {
        (**self).ready_credentials()
    }
}

/// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional `AWS_SESSION_TOKEN` each time
/// it is asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvironmentCredentials;

impl EnvironmentCredentials {
    /// Loads now (synchronously).
    pub fn load(&self) -> Result<Credentials, CredentialsError> {
        Self::load_with(|name| std::env::var(name).ok())
    }

    /// Loads from a custom variable lookup (for tests).
    pub fn load_with(var: impl Fn(&str) -> Option<String>) -> Result<Credentials, CredentialsError> {
        let non_empty = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let key =
            non_empty("AWS_ACCESS_KEY_ID").ok_or_else(|| CredentialsError::new("AWS_ACCESS_KEY_ID is not set"))?;
        let secret = non_empty("AWS_SECRET_ACCESS_KEY")
            .ok_or_else(|| CredentialsError::new("AWS_SECRET_ACCESS_KEY is not set"))?;
        let mut c = Credentials::new(key, secret);
        if let Some(token) = non_empty("AWS_SESSION_TOKEN") {
            c = c.with_session_token(token);
        }
        Ok(c)
    }
}

impl ProvideCredentials for EnvironmentCredentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move { self.load() })
    }
}

/// Tries providers in order; the first that succeeds wins.
#[derive(Debug, Clone)]
pub struct CredentialsChain {
    providers: Vec<Arc<dyn ProvideCredentials>>,
}

impl CredentialsChain {
    /// A chain of providers, tried in order.
    pub fn new(providers: Vec<Arc<dyn ProvideCredentials>>) -> Self {
        CredentialsChain { providers }
    }

    /// Environment variables, then (with the `aws-config` feature) the shared config files.
    pub fn default_chain() -> Self {
        #[allow(unused_mut)]
        let mut providers: Vec<Arc<dyn ProvideCredentials>> = vec![Arc::new(EnvironmentCredentials)];
        #[cfg(feature = "aws-config")]
        providers.push(Arc::new(ProfileCredentials::new()));
        CredentialsChain { providers }
    }
}

impl ProvideCredentials for CredentialsChain {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let mut reasons = Vec::new();
            for p in &self.providers {
                match p.provide_credentials().await {
                    Ok(c) => return Ok(c),
                    Err(e) => reasons.push(e.to_string()),
                }
            }
            Err(CredentialsError::new(format!("no provider had credentials ({})", reasons.join("; "))))
        })
    }
}

#[cfg(feature = "aws-config")]
pub use profile::ProfileCredentials;

#[cfg(feature = "aws-config")]
pub(crate) mod profile {
    use super::*;
    use std::borrow::Cow;

    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_runtime::env_config::section::EnvConfigSections;
    use aws_types::os_shim_internal::{Env, Fs};

    /// Loads and parses the shared config and credentials files with the official SDK parser
    /// (`aws-runtime`'s `env_config`): `~/.aws/config`, `~/.aws/credentials`, moved by
    /// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`; profile from `profile` or
    /// `AWS_PROFILE`, else `default`.
    pub(crate) async fn load_profiles(profile: Option<&str>) -> Result<EnvConfigSections, String> {
        let mut source = aws_runtime::env_config::source::load(&Env::real(), &Fs::real(), &EnvConfigFiles::default())
            .await
            .map_err(|e| format!("shared config files: {e}"))?;
        if let Some(name) = profile {
            source.profile = Cow::Owned(name.to_owned());
        }
        EnvConfigSections::parse(source).map_err(|e| format!("shared config files: {e}"))
    }

    /// Static credentials from the shared config and credentials files (`~/.aws/config`,
    /// `~/.aws/credentials`; `AWS_PROFILE`, `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`),
    /// parsed by the official SDK's parser on every call (the files are small; edits are
    /// picked up).
    ///
    /// Reads `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` of the
    /// selected profile. Profiles that get credentials some other way (`role_arn`, `sso_*`,
    /// `credential_process`, web identity) are reported as unsupported: implement
    /// [`ProvideCredentials`] for those.
    #[derive(Debug, Clone, Default)]
    pub struct ProfileCredentials {
        profile: Option<String>,
    }

    impl ProfileCredentials {
        /// The profile named by `AWS_PROFILE`, else `default`.
        pub fn new() -> Self {
            ProfileCredentials { profile: None }
        }
        /// A named profile.
        pub fn with_profile(name: &str) -> Self {
            ProfileCredentials { profile: Some(name.to_owned()) }
        }

        /// Loads now.
        pub async fn load(&self) -> Result<Credentials, CredentialsError> {
            let set = load_profiles(self.profile.as_deref()).await.map_err(CredentialsError::new)?;
            let name = set.selected_profile().to_owned();
            let profile = set.get_profile(&name).ok_or_else(|| {
                CredentialsError::new(format!("profile `{name}` not found in the shared config files"))
            })?;
            let key = profile.get("aws_access_key_id");
            let secret = profile.get("aws_secret_access_key");
            match (key, secret) {
                (Some(key), Some(secret)) => {
                    let mut c = Credentials::new(key, secret);
                    if let Some(token) = profile.get("aws_session_token").filter(|t| !t.is_empty()) {
                        c = c.with_session_token(token);
                    }
                    Ok(c)
                }
                _ => {
                    let other =
                        ["role_arn", "sso_session", "sso_start_url", "credential_process", "web_identity_token_file"]
                            .into_iter()
                            .find(|k| profile.get(k).is_some());
                    Err(CredentialsError::new(match other {
                        Some(k) => format!(
                            "profile `{name}` uses `{k}`, which this runtime does not support; \
                             provide credentials through ProvideCredentials"
                        ),
                        None => format!("profile `{name}` has no aws_access_key_id/aws_secret_access_key"),
                    }))
                }
            }
        }
    }

    impl ProvideCredentials for ProfileCredentials {
        fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
            Box::pin(self.load())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let c = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            .with_session_token("SESSIONTOKENVALUE");
        let dbg = format!("{c:?} {c:#?}");
        assert!(dbg.contains("AKIDEXAMPLE"));
        assert!(!dbg.contains("wJalrXUtnFEMI"), "{dbg}");
        assert!(!dbg.contains("SESSIONTOKENVALUE"), "{dbg}");
    }

    #[test]
    fn environment_variables() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let c = EnvironmentCredentials::load_with(vars(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_SESSION_TOKEN", "TOKEN"),
        ]))
        .unwrap();
        assert_eq!((c.access_key_id(), c.secret_access_key(), c.session_token()), ("AKID", "SECRET", Some("TOKEN")));
        let c = EnvironmentCredentials::load_with(vars(&[
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "SECRET"),
            ("AWS_SESSION_TOKEN", ""),
        ]))
        .unwrap();
        assert_eq!(c.session_token(), None);
        let e = EnvironmentCredentials::load_with(vars(&[("AWS_ACCESS_KEY_ID", "AKID")])).unwrap_err();
        assert!(e.to_string().contains("AWS_SECRET_ACCESS_KEY"));
    }
}
