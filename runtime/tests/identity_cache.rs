//! The identity cache in the runtime: `Config` wraps the provider it is given (once), 100
//! concurrent calls share one refresh, credentials are refreshed before they expire, and a
//! failed refresh keeps credentials that are still valid.

mod reference_operation;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use awslim_runtime::credentials::cache::{CachingProvider, REFRESH_MARGIN};
use awslim_runtime::transport::BoxFuture;
use awslim_runtime::{Config, Credentials, CredentialsError, ProvideCredentials, StubTransport};
use reference_operation::{Client, StartThingInput};

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
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
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

fn input() -> StartThingInput {
    StartThingInput { instance_id: "i".into(), mode: None, client_token: None, display_name: "Jane".into() }
}

fn hour_from_now(key: &str) -> Credentials {
    Credentials::new(key, "secret").with_session_token("t").with_expiry(SystemTime::now() + Duration::from_secs(3600))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_caches_its_provider_and_100_concurrent_calls_share_one_refresh() {
    let source = Scripted::new(vec![Ok(hour_from_now("AKID1")), Ok(hour_from_now("AKID2"))]);
    let stub = StubTransport::new();
    for _ in 0..100 {
        stub.push_json(200, "{}");
    }
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url("http://localhost:8080")
        .credentials_provider(source.clone())
        .transport(stub.clone())
        .build();
    let client = Client::new(config);
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.start_thing(input()).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(source.calls(), 1, "one refresh for 100 concurrent calls");
    let requests = stub.requests();
    assert_eq!(requests.len(), 100);
    assert!(requests.iter().all(|r| r.header("authorization").unwrap().contains("Credential=AKID1/")));
}

#[test]
fn caching_providers_and_static_credentials_are_not_wrapped() {
    let count = |config: &Config| format!("{:?}", config.credentials_provider()).matches("CachingProvider").count();
    let source = Scripted::new(vec![]);
    let cached = Config::builder().credentials_provider(source.clone()).transport(StubTransport::new()).build();
    assert_eq!(count(&cached), 1);
    // Rebuilding (to_builder) and a provider that is already a cache: still one cache.
    assert_eq!(count(&cached.to_builder().region("eu-west-1").build()), 1);
    let own =
        Config::builder().credentials(CachingProvider::new(source.clone())).transport(StubTransport::new()).build();
    assert_eq!(count(&own), 1);
    let fixed = Config::builder().credentials(Credentials::new("AKID", "S")).transport(StubTransport::new()).build();
    assert_eq!(count(&fixed), 0, "static credentials need no cache");
    let off =
        Config::builder().credentials_provider(source).cache_identities(false).transport(StubTransport::new()).build();
    assert_eq!(count(&off), 0);
    // The default chain (environment, profile) is cached too.
    assert_eq!(count(&Config::builder().transport(StubTransport::new()).build()), 1);
}

#[tokio::test]
async fn without_the_cache_the_provider_is_asked_for_every_call() {
    let source = Scripted::new(vec![Ok(hour_from_now("AKID1")), Ok(hour_from_now("AKID2"))]);
    let stub = StubTransport::new();
    stub.push_json(200, "{}").push_json(200, "{}");
    let config = Config::builder()
        .region("us-west-2")
        .endpoint_url("http://localhost:8080")
        .credentials_provider(source.clone())
        .cache_identities(false)
        .transport(stub.clone())
        .build();
    let client = Client::new(config);
    client.start_thing(input()).await.unwrap();
    client.start_thing(input()).await.unwrap();
    assert_eq!(source.calls(), 2);
}

const T0: u64 = 2_000_000_000;

fn clock() -> (Arc<AtomicU64>, impl Fn() -> SystemTime + Send + Sync + 'static) {
    let now = Arc::new(AtomicU64::new(T0));
    let n = now.clone();
    (now, move || SystemTime::UNIX_EPOCH + Duration::from_secs(n.load(Ordering::SeqCst)))
}

fn expiring(key: &str, at: u64) -> Credentials {
    Credentials::new(key, "s").with_expiry(SystemTime::UNIX_EPOCH + Duration::from_secs(at))
}

#[tokio::test]
async fn refreshed_before_expiry_and_a_failed_refresh_keeps_valid_credentials_until_they_expire() {
    let source = Scripted::new(vec![
        Ok(expiring("AKID1", T0 + 3600)),
        Err(CredentialsError::new("source down")),
        Err(CredentialsError::new("source still down")),
        Ok(expiring("AKID2", T0 + 7200)),
    ]);
    let (now, clock) = clock();
    let cache = CachingProvider::new(source.clone()).with_clock(clock, Duration::ZERO);
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    now.store(T0 + 3600 - REFRESH_MARGIN.as_secs() - 1, Ordering::SeqCst);
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    assert_eq!(source.calls(), 1, "cached until the margin");
    // Inside the margin: the refresh fails, the old credentials are still valid and used.
    now.store(T0 + 3600 - 60, Ordering::SeqCst);
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    assert_eq!(source.calls(), 2);
    // Not asked again for a while after a failure.
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID1");
    assert_eq!(source.calls(), 2);
    // Expired and the source still fails: the error comes through.
    now.store(T0 + 3600, Ordering::SeqCst);
    let err = cache.provide_credentials().await.unwrap_err();
    assert_eq!(err.to_string(), "source still down");
    // The source recovers.
    assert_eq!(cache.provide_credentials().await.unwrap().access_key_id(), "AKID2");
    assert_eq!(source.calls(), 4);
}

#[cfg(feature = "bearer")]
mod tokens {
    use super::*;
    use awslim_runtime::credentials::cache::CachingTokenProvider;
    use awslim_runtime::{ProvideToken, Token};

    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl ProvideToken for Counting {
        fn provide_token(&self) -> BoxFuture<'_, Result<Token, CredentialsError>> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                Ok(Token::new(format!("token-{n}")).with_expiry(SystemTime::now() + Duration::from_secs(3600)))
            })
        }
    }

    #[tokio::test]
    async fn token_providers_are_cached_too() {
        let source = Arc::new(Counting::default());
        let config = Config::builder().token_provider(source.clone()).transport(StubTransport::new()).build();
        let provider = config.token_provider().unwrap();
        assert!(format!("{provider:?}").contains("CachingTokenProvider"));
        assert_eq!(provider.provide_token().await.unwrap().token(), "token-0");
        assert_eq!(provider.provide_token().await.unwrap().token(), "token-0");
        assert_eq!(source.0.load(Ordering::SeqCst), 1);
        let fixed = Config::builder().token(Token::new("x")).transport(StubTransport::new()).build();
        assert!(!format!("{:?}", fixed.token_provider().unwrap()).contains("Caching"));
        let own = CachingTokenProvider::new(Counting::default());
        let config = Config::builder().token(own).transport(StubTransport::new()).build();
        assert_eq!(format!("{:?}", config.token_provider().unwrap()).matches("CachingTokenProvider").count(), 1);
    }
}

#[tokio::test]
async fn a_cache_has_credentials_ready_only_while_they_need_no_refresh() {
    let now = Arc::new(AtomicU64::new(1_000_000));
    let clock = {
        let now = now.clone();
        move || SystemTime::UNIX_EPOCH + Duration::from_secs(now.load(Ordering::SeqCst))
    };
    let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + 3600);
    let source = Scripted::new(vec![Ok(Credentials::new("AKID1", "secret").with_expiry(expiry))]);
    let cache = CachingProvider::new(source.clone()).with_clock(clock, Duration::ZERO);
    assert!(cache.ready_credentials().is_none(), "nothing loaded yet");
    cache.provide_credentials().await.unwrap();
    assert_eq!(cache.ready_credentials().map(|c| c.access_key_id().to_owned()).as_deref(), Some("AKID1"));
    // Within the refresh margin before expiry: the client must ask the provider, which refreshes.
    now.store(1_000_000 + 3600 - REFRESH_MARGIN.as_secs(), Ordering::SeqCst);
    assert!(cache.ready_credentials().is_none());
    assert_eq!(source.calls(), 1);
    // Static credentials are always ready.
    assert!(Credentials::new("AKID", "secret").ready_credentials().is_some());
}
