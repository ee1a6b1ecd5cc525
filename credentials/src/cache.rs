//! [`CachingProvider`]: asks its source once, keeps the credentials until shortly before they
//! expire, and lets concurrent callers share one refresh.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use awslim_runtime::transport::BoxFuture;
use awslim_runtime::{Credentials, CredentialsError, ProvideCredentials};

/// Refresh this long before the credentials expire (the official SDKs use 5 minutes)...
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// ...plus up to this much random extra, so that many clients do not refresh together.
pub const REFRESH_JITTER: Duration = Duration::from_secs(60);
/// Credentials without an expiry (environment, static profile keys) are asked for again
/// after this long, so that edits are picked up (the official SDK's default too).
pub const NO_EXPIRY_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// After a failed refresh while the old credentials still work, wait this long before trying
/// again.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

#[derive(Clone)]
struct Cached {
    credentials: Credentials,
    /// When to ask the source again.
    refresh_at: SystemTime,
    /// When these credentials stop working (`None`: never).
    expires: Option<SystemTime>,
}

/// Caches the credentials of `P` (see the module docs).
pub struct CachingProvider<P> {
    source: P,
    cached: Mutex<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
    clock: Clock,
    jitter: Duration,
}

impl<P: fmt::Debug> fmt::Debug for CachingProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|c| c.refresh_at);
        f.debug_struct("CachingProvider").field("source", &self.source).field("refresh_at", &cached).finish()
    }
}

impl<P: ProvideCredentials> CachingProvider<P> {
    /// Caches `source`, with the system clock.
    pub fn new(source: P) -> Self {
        CachingProvider {
            source,
            cached: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            clock: Arc::new(SystemTime::now),
            jitter: REFRESH_JITTER,
        }
    }

    /// Uses another clock (for tests) and jitter bound.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static, jitter: Duration) -> Self {
        self.clock = Arc::new(clock);
        self.jitter = jitter;
        self
    }

    fn fresh(&self, now: SystemTime) -> Option<Credentials> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached.as_ref().filter(|c| now < c.refresh_at).map(|c| c.credentials.clone())
    }

    fn refresh_time(&self, now: SystemTime, expires: Option<SystemTime>) -> SystemTime {
        let Some(expires) = expires else { return now + NO_EXPIRY_LIFETIME };
        let jitter = Duration::from_millis(fastrand::u64(0..=self.jitter.as_millis() as u64));
        let at = expires.checked_sub(REFRESH_MARGIN + jitter).unwrap_or(now);
        // Credentials that expire within the margin are still used until they expire.
        if at <= now {
            expires.max(now)
        } else {
            at
        }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        if let Some(c) = self.fresh((self.clock)()) {
            return Ok(c);
        }
        // One refresh at a time; those who waited find the new credentials.
        let _guard = self.refresh.lock().await;
        let now = (self.clock)();
        if let Some(c) = self.fresh(now) {
            return Ok(c);
        }
        match self.source.provide_credentials().await {
            Ok(credentials) => {
                let expires = credentials.expires_after();
                let refresh_at = self.refresh_time(now, expires);
                *self.cached.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Cached { credentials: credentials.clone(), refresh_at, expires });
                Ok(credentials)
            }
            Err(e) => self.keep_old(now, e),
        }
    }

    fn keep_old(&self, now: SystemTime, error: CredentialsError) -> Result<Credentials, CredentialsError> {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        match cached.as_mut() {
            Some(old) if old.expires.is_none_or(|e| now < e) => {
                tracing::warn!(
                    %error,
                    expires = ?old.expires,
                    "refreshing credentials failed; using the cached credentials, which are still valid"
                );
                old.refresh_at = now + RETRY_AFTER_FAILURE;
                if let Some(e) = old.expires {
                    old.refresh_at = old.refresh_at.min(e);
                }
                Ok(old.credentials.clone())
            }
            _ => Err(error),
        }
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CachingProvider<P> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}
