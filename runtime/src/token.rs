//! Bearer tokens for operations with `smithy.api#httpBearerAuth` (cargo feature `bearer`).
//!
//! Built in: a static [`Token`] (it is its own provider) and [`EnvironmentToken`], which reads
//! `AWS_BEARER_TOKEN_<SIGNING NAME>` (the variable the AWS SDK for JavaScript reads, e.g.
//! `AWS_BEARER_TOKEN_BEDROCK`). Anything else (an SSO token cache, a refreshing source):
//! implement [`ProvideToken`].
//!
//! Tokens never appear in `Debug` output.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::credentials::CredentialsError;
use crate::transport::BoxFuture;

/// A bearer token, sent as `Authorization: Bearer <token>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    token: String,
    expires_after: Option<SystemTime>,
}

impl Token {
    /// A token with no known expiry.
    pub fn new(token: impl Into<String>) -> Self {
        Token { token: token.into(), expires_after: None }
    }
    /// Sets when the token stops working.
    #[must_use]
    pub fn with_expiry(mut self, expires_after: SystemTime) -> Self {
        self.expires_after = Some(expires_after);
        self
    }
    /// The token itself (secret).
    pub fn token(&self) -> &str {
        &self.token
    }
    /// When the token expires, if it does.
    pub fn expires_after(&self) -> Option<SystemTime> {
        self.expires_after
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token").field("token", &"** redacted **").field("expires_after", &self.expires_after).finish()
    }
}

/// A source of bearer tokens. [`Config`](crate::Config) wraps a configured one in a
/// [`CachingTokenProvider`](crate::credentials::cache::CachingTokenProvider) unless
/// [`caches_itself`](Self::caches_itself) says otherwise. `Debug` implementations must not
/// print tokens.
pub trait ProvideToken: Send + Sync + fmt::Debug {
    /// Loads a token. The error message must not contain secrets.
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>>;

    /// Whether this provider caches (or has nothing to refresh) itself, so that the client
    /// must not wrap it in another cache. Default `false`.
    fn caches_itself(&self) -> bool {
        false
    }
}

impl ProvideToken for Token {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>> {
        let t = self.clone();
        Box::pin(async move { Ok(t) })
    }

    /// A static token needs no cache.
    fn caches_itself(&self) -> bool {
        true
    }
}

impl<T: ProvideToken + ?Sized> ProvideToken for Arc<T> {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>> {
        (**self).provide_token()
    }

    fn caches_itself(&self) -> bool {
        (**self).caches_itself()
    }
}

/// Reads the token from `AWS_BEARER_TOKEN_<NAME>` each time it is asked, where `<NAME>` is the
/// service's signing name in upper case with `-` and spaces as `_` (`AWS_BEARER_TOKEN_CODECATALYST`).
/// This is the client's default token provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvironmentToken {
    variable: String,
}

impl EnvironmentToken {
    /// The provider for a service's signing name (e.g. `codecatalyst`).
    pub fn for_service(signing_name: &str) -> Self {
        let suffix: String = signing_name
            .chars()
            .map(|c| if c == '-' || c.is_whitespace() { '_' } else { c.to_ascii_uppercase() })
            .collect();
        EnvironmentToken { variable: format!("AWS_BEARER_TOKEN_{suffix}") }
    }
    /// The variable it reads.
    pub fn variable(&self) -> &str {
        &self.variable
    }
    /// Loads from a custom variable lookup (for tests).
    pub fn load_with(&self, var: impl Fn(&str) -> Option<String>) -> Result<Token, CredentialsError> {
        match var(&self.variable).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            Some(token) => Ok(Token::new(token)),
            None => Err(CredentialsError::new(format!("{} is not set", self.variable))),
        }
    }
}

impl ProvideToken for EnvironmentToken {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>> {
        Box::pin(async move { self.load_with(|name| std::env::var(name).ok()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_token() {
        let t = Token::new("SECRETTOKENVALUE");
        let dbg = format!("{t:?} {t:#?}");
        assert!(!dbg.contains("SECRETTOKENVALUE"), "{dbg}");
        assert!(dbg.contains("redacted"), "{dbg}");
    }

    #[test]
    fn environment_variable_from_the_signing_name() {
        let p = EnvironmentToken::for_service("cloudfront-keyvaluestore");
        assert_eq!(p.variable(), "AWS_BEARER_TOKEN_CLOUDFRONT_KEYVALUESTORE");
        let p = EnvironmentToken::for_service("codecatalyst");
        let t = p.load_with(|name| (name == "AWS_BEARER_TOKEN_CODECATALYST").then(|| " tok \n".to_owned())).unwrap();
        assert_eq!(t.token(), "tok");
        let e = p.load_with(|_| Some(String::new())).unwrap_err();
        assert_eq!(e.to_string(), "AWS_BEARER_TOKEN_CODECATALYST is not set");
    }
}
