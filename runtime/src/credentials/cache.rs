//! The identity cache: [`CachingProvider`] (credentials) and, with the `bearer` feature,
//! [`CachingTokenProvider`] (bearer tokens).
//!
//! A cache asks its source once, keeps the identity until shortly before it expires, and lets
//! concurrent callers share one refresh. [`Config`](crate::Config) wraps every provider it is
//! given in one (as the official SDK's identity cache does) unless the provider says it
//! caches itself ([`ProvideCredentials::caches_itself`]), e.g. static [`Credentials`] or a
//! provider that already is a `CachingProvider`; so nothing is cached twice.
//!
//! Refresh times: 5 minutes (plus up to 60 s of jitter) before the expiry; an identity without
//! an expiry is asked for again after 15 minutes. When a refresh fails while the cached identity
//! is still valid, it is used, a `tracing` warning says so, and the source is asked again after
//! 10 s; once it has expired, the error comes through.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::credentials::{Credentials, CredentialsError, ProvideCredentials};
use crate::transport::BoxFuture;

/// Refresh this long before the identity expires (the official SDKs use 5 minutes)...
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// ...plus up to this much random extra, so that many clients do not refresh together.
pub const REFRESH_JITTER: Duration = Duration::from_secs(60);
/// Identities without an expiry (environment, static profile keys) are asked for again
/// after this long, so that edits are picked up (the official SDK's default too).
pub const NO_EXPIRY_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// After a failed refresh while the old identity still works, wait this long before trying
/// again.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

#[derive(Clone)]
struct Cached<T> {
    identity: T,
    /// When to ask the source again.
    refresh_at: SystemTime,
    /// When the identity stops working (`None`: never).
    expires: Option<SystemTime>,
}

/// The cache shared by the credentials and token caches.
struct LazyCache<T> {
    /// `credentials` or `bearer token`, for the warning.
    what: &'static str,
    cached: Mutex<Option<Cached<T>>>,
    refresh: tokio::sync::Mutex<()>,
    clock: Clock,
    jitter: Duration,
}

impl<T: Clone> LazyCache<T> {
    fn new(what: &'static str) -> Self {
        LazyCache {
            what,
            cached: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            clock: Arc::new(SystemTime::now),
            jitter: REFRESH_JITTER,
        }
    }

    fn refresh_at(&self) -> Option<SystemTime> {
        self.cached.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|c| c.refresh_at)
    }

    fn fresh(&self, now: SystemTime) -> Option<T> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached.as_ref().filter(|c| now < c.refresh_at).map(|c| c.identity.clone())
    }

    fn refresh_time(&self, now: SystemTime, expires: Option<SystemTime>) -> SystemTime {
        let Some(expires) = expires else { return now + NO_EXPIRY_LIFETIME };
        let jitter = Duration::from_millis(fastrand::u64(0..=self.jitter.as_millis() as u64));
        let at = expires.checked_sub(REFRESH_MARGIN + jitter).unwrap_or(now);
        // An identity that expires within the margin is still used until it expires.
        if at <= now {
            expires.max(now)
        } else {
            at
        }
    }

    /// The cached identity, or a new one from `load` (one caller at a time loads; those who
    /// waited find the new identity).
    async fn get<F>(
        &self,
        load: impl FnOnce() -> F,
        expiry: fn(&T) -> Option<SystemTime>,
    ) -> Result<T, CredentialsError>
    where
        F: Future<Output = Result<T, CredentialsError>>,
    {
        if let Some(c) = self.fresh((self.clock)()) {
            return Ok(c);
        }
        let _guard = self.refresh.lock().await;
        let now = (self.clock)();
        if let Some(c) = self.fresh(now) {
            return Ok(c);
        }
        match load().await {
            Ok(identity) => {
                let expires = expiry(&identity);
                let refresh_at = self.refresh_time(now, expires);
                *self.cached.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Cached { identity: identity.clone(), refresh_at, expires });
                Ok(identity)
            }
            Err(e) => self.keep_old(now, e),
        }
    }

    fn keep_old(&self, now: SystemTime, error: CredentialsError) -> Result<T, CredentialsError> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        match cached.as_mut() {
            Some(old) if old.expires.is_none_or(|e| now < e) => {
                if self.what == "credentials" {
                    tracing::warn!(
                        %error,
                        expires = ?old.expires,
                        "refreshing credentials failed; using the cached credentials, which are still valid"
                    );
                } else {
                    tracing::warn!(
                        %error,
                        expires = ?old.expires,
                        "refreshing the bearer token failed; using the cached token, which is still valid"
                    );
                }
                old.refresh_at = now + RETRY_AFTER_FAILURE;
                if let Some(e) = old.expires {
                    old.refresh_at = old.refresh_at.min(e);
                }
                Ok(old.identity.clone())
            }
            _ => Err(error),
        }
    }
}

/// Caches the credentials of `P` (see the module docs).
pub struct CachingProvider<P> {
    source: P,
    cache: LazyCache<Credentials>,
}

impl<P: fmt::Debug> fmt::Debug for CachingProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingProvider")
            .field("source", &self.source)
            .field("refresh_at", &self.cache.refresh_at())
            .finish()
    }
}

impl<P: ProvideCredentials> CachingProvider<P> {
    /// Caches `source`, with the system clock.
    pub fn new(source: P) -> Self {
        CachingProvider { source, cache: LazyCache::new("credentials") }
    }

    /// Uses another clock (for tests) and jitter bound.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static, jitter: Duration) -> Self {
        self.cache.clock = Arc::new(clock);
        self.cache.jitter = jitter;
        self
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CachingProvider<P> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.cache.get(|| self.source.provide_credentials(), Credentials::expires_after))
    }

    fn caches_itself(&self) -> bool {
        true
    }

    /// The cached credentials while they need no refresh.
    fn ready_credentials(&self) -> Option<Credentials> {
        self.cache.fresh((self.cache.clock)())
    }
}

/// Caches the bearer tokens of `P`, like [`CachingProvider`] (feature `bearer`).
#[cfg(feature = "bearer")]
pub struct CachingTokenProvider<P> {
    source: P,
    cache: LazyCache<crate::token::Token>,
}

#[cfg(feature = "bearer")]
impl<P: fmt::Debug> fmt::Debug for CachingTokenProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingTokenProvider")
            .field("source", &self.source)
            .field("refresh_at", &self.cache.refresh_at())
            .finish()
    }
}

#[cfg(feature = "bearer")]
impl<P: crate::token::ProvideToken> CachingTokenProvider<P> {
    /// Caches `source`, with the system clock.
    pub fn new(source: P) -> Self {
        CachingTokenProvider { source, cache: LazyCache::new("bearer token") }
    }

    /// Uses another clock (for tests) and jitter bound.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static, jitter: Duration) -> Self {
        self.cache.clock = Arc::new(clock);
        self.cache.jitter = jitter;
        self
    }
}

#[cfg(feature = "bearer")]
impl<P: crate::token::ProvideToken> crate::token::ProvideToken for CachingTokenProvider<P> {
    fn provide_token(&self) -> BoxFuture<'_, Result<crate::token::Token, CredentialsError>> {
        Box::pin(self.cache.get(|| self.source.provide_token(), crate::token::Token::expires_after))
    }

    fn caches_itself(&self) -> bool {
        true
    }
}
