//! The caching provider: one refresh for 100 concurrent callers, refresh before expiry,
//! keeping valid credentials (with a warning) when a refresh fails.

mod common;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use awslim_credentials::cache::{NO_EXPIRY_LIFETIME, REFRESH_MARGIN};
use awslim_credentials::CachingProvider;
use awslim_runtime::transport::BoxFuture;
use awslim_runtime::{Credentials, CredentialsError, ProvideCredentials};

/// Answers from a script (slowly, so that callers overlap) and counts the calls.
#[derive(Debug, Default)]
struct Scripted {
    answers: Mutex<VecDeque<Result<Credentials, CredentialsError>>>,
    calls: AtomicUsize,
}

impl Scripted {
    fn new(answers: Vec<Result<Credentials, CredentialsError>>) -> Arc<Self> {
        Arc::new(Scripted { answers: Mutex::new(answers.into()), calls: AtomicUsize::new(0) })
    }
}

impl ProvideCredentials for Scripted {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            self.answers.lock().unwrap().pop_front().unwrap_or_else(|| Err(CredentialsError::new("script ended")))
        })
    }
}

const T0: u64 = 2_000_000_000;

/// A clock the test moves (seconds since the epoch).
fn clock() -> (Arc<AtomicU64>, impl Fn() -> SystemTime + Send + Sync + 'static) {
    let now = Arc::new(AtomicU64::new(T0));
    let n = now.clone();
    (now, move || SystemTime::UNIX_EPOCH + Duration::from_secs(n.load(Ordering::SeqCst)))
}

fn creds(key: &str, expires_at: u64) -> Credentials {
    Credentials::new(key, "secret")
        .with_session_token("t")
        .with_expiry(SystemTime::UNIX_EPOCH + Duration::from_secs(expires_at))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_callers_share_one_refresh() {
    let source = Scripted::new(vec![Ok(creds("AKID1", T0 + 3600))]);
    let (_now, clock) = clock();
    let cache = Arc::new(CachingProvider::new(source.clone()).with_clock(clock, Duration::ZERO));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.provide_credentials().await.unwrap().access_key_id().to_owned() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "AKID1");
    }
    assert_eq!(source.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refreshes_before_expiry_with_margin_and_jitter() {
    let source = Scripted::new(vec![Ok(creds("AKID1", T0 + 3600)), Ok(creds("AKID2", T0 + 7200))]);
    let (now, clock) = clock();
    let jitter = Duration::from_secs(60);
    let cache = CachingProvider::new(source.clone()).with_clock(clock, jitter);
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    // Before margin + jitter: cached.
    now.store(T0 + 3600 - REFRESH_MARGIN.as_secs() - jitter.as_secs() - 1, Ordering::SeqCst);
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    assert_eq!(source.calls.load(Ordering::SeqCst), 1);
    // Within the margin (still before expiry): refreshed.
    now.store(T0 + 3600 - REFRESH_MARGIN.as_secs() + 1, Ordering::SeqCst);
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID2");
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn credentials_without_expiry_are_asked_for_again_after_a_while() {
    let source = Scripted::new(vec![Ok(Credentials::new("AKID1", "s")), Ok(Credentials::new("AKID2", "s"))]);
    let (now, clock) = clock();
    let cache = CachingProvider::new(source.clone()).with_clock(clock, Duration::ZERO);
    cache.provide_credentials().await.unwrap();
    now.store(T0 + NO_EXPIRY_LIFETIME.as_secs() - 1, Ordering::SeqCst);
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    now.store(T0 + NO_EXPIRY_LIFETIME.as_secs(), Ordering::SeqCst);
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID2");
}

#[tokio::test]
async fn failed_refresh_keeps_valid_credentials_and_says_so_then_fails_after_expiry() {
    let source = Scripted::new(vec![
        Ok(creds("AKID1", T0 + 600)),
        Err(CredentialsError::new("IMDS at http://x: HTTP 500")),
        Err(CredentialsError::new("IMDS at http://x: HTTP 500")),
    ]);
    let (now, clock) = clock();
    let cache = CachingProvider::new(source.clone()).with_clock(clock, Duration::ZERO);
    let warnings = common::Warnings::default();
    let _guard = tracing::subscriber::set_default(warnings.clone());
    cache.provide_credentials().await.unwrap();
    now.store(T0 + 400, Ordering::SeqCst); // inside the 5-minute margin, still valid
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
    let logged = warnings.0.lock().unwrap().clone();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(
        logged[0].contains("refreshing credentials failed; using the cached credentials")
            && logged[0].contains("HTTP 500"),
        "{logged:?}"
    );
    assert!(!logged[0].contains("secret"), "{logged:?}");
    // It does not ask again at once...
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    assert_eq!(source.calls.load(Ordering::SeqCst), 2);
    // ...and once they have expired, the error comes through.
    now.store(T0 + 600, Ordering::SeqCst);
    let e = cache.provide_credentials().await.unwrap_err();
    assert_eq!(e.to_string(), "IMDS at http://x: HTTP 500");
}

#[tokio::test]
async fn a_first_failure_is_not_cached() {
    let source = Scripted::new(vec![Err(CredentialsError::new("nope")), Ok(creds("AKID1", T0 + 3600))]);
    let (_now, clock) = clock();
    let cache = CachingProvider::new(source.clone()).with_clock(clock, Duration::ZERO);
    assert!(cache.provide_credentials().await.is_err());
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
}
