//! Client configuration.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{CredentialsChain, ProvideCredentials};
pub use crate::retry::RetryConfig;
use crate::transport::{HttpTransport, HyperTransport};

/// Time limits. `None` disables a limit.
///
/// | limit | default | what it bounds |
/// | --- | --- | --- |
/// | `connect` | 3.1 s (as the official SDK) | establishing one TCP connection |
/// | `attempt` | 30 s | one attempt: send the request and read the whole response |
/// | `operation` | none | the whole call: all attempts and the backoff between them |
///
/// An attempt that times out is retried (it costs more retry quota than other retries); an
/// operation timeout ends the call at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutConfig {
    /// Connect timeout of the default transport. Default 3.1 s.
    pub connect: Option<Duration>,
    /// Per-attempt timeout. Default 30 s.
    pub attempt: Option<Duration>,
    /// Whole-call timeout. Default none.
    pub operation: Option<Duration>,
}

impl TimeoutConfig {
    /// Default connect timeout.
    pub const DEFAULT_CONNECT: Duration = Duration::from_millis(3100);
    /// Default attempt timeout.
    pub const DEFAULT_ATTEMPT: Duration = Duration::from_secs(30);
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        TimeoutConfig { connect: Some(Self::DEFAULT_CONNECT), attempt: Some(Self::DEFAULT_ATTEMPT), operation: None }
    }
}

/// Makes idempotency tokens for members marked `@idempotencyToken` that the caller left unset.
#[derive(Clone)]
pub struct IdempotencyTokenProvider(Arc<dyn Fn() -> String + Send + Sync>);

impl IdempotencyTokenProvider {
    /// Random UUID v4 tokens (the default).
    pub fn random() -> Self {
        IdempotencyTokenProvider(Arc::new(random_uuid_v4))
    }
    /// Tokens from a function (e.g. a fixed value in tests).
    pub fn from_fn(f: impl Fn() -> String + Send + Sync + 'static) -> Self {
        IdempotencyTokenProvider(Arc::new(f))
    }
    /// A new token.
    pub fn token(&self) -> String {
        (self.0)()
    }
}

impl fmt::Debug for IdempotencyTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdempotencyTokenProvider")
    }
}

/// A random (v4) UUID, lowercase hyphenated. Uses `fastrand` (seeded per thread from the OS
/// hasher seed): unique enough for tokens and invocation ids, not for secrets.
pub fn random_uuid_v4() -> String {
    random_uuid_v4_text().as_str().to_owned()
}

/// A random (v4) UUID as [`random_uuid_v4`] makes it, kept in a buffer (no allocation).
pub(crate) fn random_uuid_v4_text() -> UuidText {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&fastrand::u64(..).to_le_bytes());
    bytes[8..].copy_from_slice(&fastrand::u64(..).to_le_bytes());
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    // Encoded straight into a buffer: no formatting machinery (`to_string`) on every call.
    uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().encode_lower(&mut text);
    UuidText(text)
}

/// A hyphenated lowercase UUID's text.
pub(crate) struct UuidText([u8; uuid::fmt::Hyphenated::LENGTH]);

impl UuidText {
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a hyphenated UUID is ASCII")
    }
}

/// Everything a client needs: region, credentials, endpoint, retries, timeouts, transport.
///
/// ```
/// use awslim_runtime::{Config, Credentials};
/// let config = Config::builder()
///     .region("us-west-2")
///     .credentials(Credentials::new("AKID", "SECRET"))
///     .build();
/// assert_eq!(config.region(), Some("us-west-2"));
/// ```
#[derive(Clone)]
pub struct Config {
    region: Option<String>,
    credentials: Arc<dyn ProvideCredentials>,
    #[cfg(feature = "bearer")]
    token: Option<Arc<dyn crate::token::ProvideToken>>,
    endpoint_url: Option<String>,
    use_fips: bool,
    use_dual_stack: bool,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    validate_requests: bool,
    request_compression: RequestCompression,
    transport: Arc<dyn HttpTransport>,
    idempotency_tokens: IdempotencyTokenProvider,
    app_name: Option<String>,
    max_response_body: Option<u64>,
    allow_insecure_http: bool,
    client_context_params: BTreeMap<String, awslim_endpoints::Value>,
    endpoint_built_ins: BTreeMap<String, awslim_endpoints::Value>,
    /// The proxies of the default transport; `None` when the transport was given.
    proxy: Option<crate::proxy::ProxyConfig>,
    /// SigV4 signing keys derived for this configuration's credentials (shared by its clones).
    signing_keys: Arc<crate::sign::SigningKeyCache>,
}

/// The default [`ConfigBuilder::max_response_body_size`]: 64 MiB.
///
/// Four times the largest non-streaming JSON response AWS documents (DynamoDB
/// `BatchGetItem`, 16 MB; Kinesis `GetRecords` returns at most 10 MiB of data), well below the
/// memory a client process can be expected to spare.
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 64 * 1024 * 1024;

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Providers' own Debug redacts secrets; nothing else here is secret.
        let mut d = f.debug_struct("Config");
        d.field("region", &self.region).field("credentials", &self.credentials);
        #[cfg(feature = "bearer")]
        d.field("token", &self.token);
        d.field("endpoint_url", &self.endpoint_url)
            .field("use_fips", &self.use_fips)
            .field("use_dual_stack", &self.use_dual_stack)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .field("validate_requests", &self.validate_requests)
            .field("request_compression", &self.request_compression)
            .field("transport", &self.transport)
            .field("app_name", &self.app_name)
            .field("max_response_body", &self.max_response_body)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("client_context_params", &self.client_context_params)
            .field("endpoint_built_ins", &self.endpoint_built_ins)
            .finish()
    }
}

impl Config {
    /// A builder with every default.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Configuration from the environment: region from `AWS_REGION` (else
    /// `AWS_DEFAULT_REGION`), endpoint from `AWS_ENDPOINT_URL`, credentials from
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, and with the
    /// `aws-config` feature from the shared config files (profile `AWS_PROFILE` or `default`).
    pub fn from_env() -> Config {
        Self::builder_from_env().build()
    }

    /// Like [`Config::from_env`] but returns the builder, to override some settings.
    pub fn builder_from_env() -> ConfigBuilder {
        Self::builder_from_vars(|name| std::env::var(name).ok())
    }

    /// [`Config::builder_from_env`] with a custom variable lookup (for tests).
    pub fn builder_from_vars(var: impl Fn(&str) -> Option<String>) -> ConfigBuilder {
        let non_empty = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut b = Self::builder();
        b.region = non_empty("AWS_REGION").or_else(|| non_empty("AWS_DEFAULT_REGION"));
        b.endpoint_url = non_empty("AWS_ENDPOINT_URL");
        let truthy = |name: &str| non_empty(name).is_some_and(|v| v.eq_ignore_ascii_case("true"));
        b.use_fips = truthy("AWS_USE_FIPS_ENDPOINT");
        b.use_dual_stack = truthy("AWS_USE_DUALSTACK_ENDPOINT");
        if let Some(n) = non_empty("AWS_MAX_ATTEMPTS").and_then(|v| v.parse::<u32>().ok()) {
            b.retry.max_attempts = n.max(1);
        }
        b.request_compression.disabled = truthy("AWS_DISABLE_REQUEST_COMPRESSION");
        b.proxy = Some(crate::proxy::ProxyConfig::from_vars(&var));
        if let Some(n) = non_empty("AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES").and_then(|v| v.parse::<u32>().ok()) {
            b.request_compression.min_size_bytes = n;
        }
        b
    }

    /// Like [`Config::from_env`], and when no environment variable names a region, the
    /// region of the selected profile in the shared config file (`AWS_PROFILE`, else
    /// `default`; `AWS_CONFIG_FILE` to move the file). Needs the `aws-config` feature.
    #[cfg(feature = "aws-config")]
    pub async fn load_from_env() -> Config {
        Self::builder_from_env_and_profile().await.build()
    }

    /// [`Config::load_from_env`] returning the builder. Needs the `aws-config` feature.
    #[cfg(feature = "aws-config")]
    pub async fn builder_from_env_and_profile() -> ConfigBuilder {
        let mut b = Self::builder_from_env();
        if b.region.is_none() {
            if let Ok(set) = crate::credentials::profile::load_profiles(None).await {
                b.region = set.get_profile(set.selected_profile()).and_then(|p| p.get("region")).map(str::to_owned);
            }
        }
        b
    }

    /// The region (`None` if none was configured).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
    /// The credentials provider.
    pub fn credentials_provider(&self) -> &Arc<dyn ProvideCredentials> {
        &self.credentials
    }
    /// The bearer token provider, if one was set (else calls read
    /// `AWS_BEARER_TOKEN_<SIGNING NAME>`). Needs the `bearer` feature.
    #[cfg(feature = "bearer")]
    pub fn token_provider(&self) -> Option<&Arc<dyn crate::token::ProvideToken>> {
        self.token.as_ref()
    }
    /// The endpoint override.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }
    /// Whether FIPS endpoints are used.
    pub fn use_fips(&self) -> bool {
        self.use_fips
    }
    /// Whether dual-stack (IPv6) endpoints are used.
    pub fn use_dual_stack(&self) -> bool {
        self.use_dual_stack
    }
    /// Retry settings.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }
    /// Time limits.
    pub fn timeouts(&self) -> &TimeoutConfig {
        &self.timeouts
    }
    /// Whether inputs are checked against the model's constraints before sending.
    pub fn validate_requests(&self) -> bool {
        self.validate_requests
    }

    /// When request bodies of operations with `@requestCompression` are compressed.
    pub fn request_compression(&self) -> RequestCompression {
        self.request_compression
    }
    /// The transport.
    pub fn transport(&self) -> &Arc<dyn HttpTransport> {
        &self.transport
    }
    /// The idempotency token provider.
    pub fn idempotency_token_provider(&self) -> &IdempotencyTokenProvider {
        &self.idempotency_tokens
    }
    /// The application name added to the user agent.
    pub fn app_name(&self) -> Option<&str> {
        self.app_name.as_deref()
    }
    /// The largest response body a call reads (`None`: no limit). Default
    /// [`DEFAULT_MAX_RESPONSE_BODY`].
    pub fn max_response_body_size(&self) -> Option<u64> {
        self.max_response_body
    }
    /// Whether signed requests may go over plain `http://` to a host that is not loopback.
    pub fn allow_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }
    /// The service-specific endpoint parameters set with
    /// [`ConfigBuilder::client_context_param`], by name.
    pub fn client_context_params(&self) -> &BTreeMap<String, awslim_endpoints::Value> {
        &self.client_context_params
    }
    /// Endpoint built-in values set with [`ConfigBuilder::endpoint_built_in`], by built-in name.
    pub fn endpoint_built_ins(&self) -> &BTreeMap<String, awslim_endpoints::Value> {
        &self.endpoint_built_ins
    }
    /// The proxies of the default transport (`None` when a transport was given).
    pub fn proxy(&self) -> Option<&crate::proxy::ProxyConfig> {
        self.proxy.as_ref()
    }
    /// Where SigV4 signing keys derived for these credentials are kept between calls.
    pub(crate) fn signing_keys(&self) -> &crate::sign::SigningKeyCache {
        &self.signing_keys
    }
    /// A builder starting from this configuration. A transport that was given is kept; the
    /// default one is made again by `build()` (so new timeouts and proxies apply).
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder {
            region: self.region.clone(),
            credentials: Some(self.credentials.clone()),
            #[cfg(feature = "bearer")]
            token: self.token.clone(),
            endpoint_url: self.endpoint_url.clone(),
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            retry: self.retry.clone(),
            timeouts: self.timeouts,
            validate_requests: self.validate_requests,
            request_compression: self.request_compression,
            transport: self.proxy.is_none().then(|| self.transport.clone()),
            idempotency_tokens: Some(self.idempotency_tokens.clone()),
            app_name: self.app_name.clone(),
            max_response_body: self.max_response_body,
            allow_insecure_http: self.allow_insecure_http,
            client_context_params: self.client_context_params.clone(),
            endpoint_built_ins: self.endpoint_built_ins.clone(),
            // The providers are already cached (or were meant not to be).
            cache_identities: true,
            proxy: self.proxy.clone(),
        }
    }
}

/// Builds a [`Config`]; every setting is optional.
#[derive(Clone)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    #[cfg(feature = "bearer")]
    token: Option<Arc<dyn crate::token::ProvideToken>>,
    endpoint_url: Option<String>,
    use_fips: bool,
    use_dual_stack: bool,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    validate_requests: bool,
    request_compression: RequestCompression,
    transport: Option<Arc<dyn HttpTransport>>,
    idempotency_tokens: Option<IdempotencyTokenProvider>,
    app_name: Option<String>,
    max_response_body: Option<u64>,
    allow_insecure_http: bool,
    client_context_params: BTreeMap<String, awslim_endpoints::Value>,
    endpoint_built_ins: BTreeMap<String, awslim_endpoints::Value>,
    cache_identities: bool,
    /// `None`: the environment's, read by `build()`.
    proxy: Option<crate::proxy::ProxyConfig>,
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        ConfigBuilder {
            region: None,
            credentials: None,
            #[cfg(feature = "bearer")]
            token: None,
            endpoint_url: None,
            use_fips: false,
            use_dual_stack: false,
            retry: RetryConfig::default(),
            timeouts: TimeoutConfig::default(),
            validate_requests: true,
            request_compression: RequestCompression::default(),
            transport: None,
            idempotency_tokens: None,
            app_name: None,
            max_response_body: Some(DEFAULT_MAX_RESPONSE_BODY),
            allow_insecure_http: false,
            client_context_params: BTreeMap::new(),
            endpoint_built_ins: BTreeMap::new(),
            cache_identities: true,
            proxy: None,
        }
    }
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// The AWS region, e.g. `us-west-2`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    /// Credentials (static [`Credentials`](crate::Credentials) or any provider). Default:
    /// environment variables, then (with the `aws-config` feature) the shared config files.
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }
    /// Credentials from a shared provider.
    pub fn credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
        self
    }
    /// A bearer token for operations with `smithy.api#httpBearerAuth` (a static
    /// [`Token`](crate::token::Token) or any provider). Default: `AWS_BEARER_TOKEN_<SIGNING NAME>`.
    /// Needs the `bearer` feature.
    #[cfg(feature = "bearer")]
    pub fn token(mut self, provider: impl crate::token::ProvideToken + 'static) -> Self {
        self.token = Some(Arc::new(provider));
        self
    }
    /// A bearer token from a shared provider. Needs the `bearer` feature.
    #[cfg(feature = "bearer")]
    pub fn token_provider(mut self, provider: Arc<dyn crate::token::ProvideToken>) -> Self {
        self.token = Some(provider);
        self
    }
    /// Sends to this URL instead of the resolved AWS endpoint (e.g. `http://127.0.0.1:4566`).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }
    /// Uses FIPS endpoints.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.use_fips = on;
        self
    }
    /// Uses dual-stack endpoints.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.use_dual_stack = on;
        self
    }
    /// Retry settings.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }
    /// Attempts per call including the first (shortcut for `retry.max_attempts`).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.retry.max_attempts = n.max(1);
        self
    }
    /// Time limits.
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }
    /// Per-attempt timeout.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.timeouts.attempt = Some(d);
        self
    }
    /// Whole-call timeout.
    pub fn operation_timeout(mut self, d: Duration) -> Self {
        self.timeouts.operation = Some(d);
        self
    }
    /// When request bodies are compressed (see [`RequestCompression`]).
    pub fn request_compression(mut self, compression: RequestCompression) -> Self {
        self.request_compression = compression;
        self
    }

    /// Whether to check inputs against the model's constraints before sending (default true).
    pub fn validate_requests(mut self, on: bool) -> Self {
        self.validate_requests = on;
        self
    }
    /// The transport (default: [`HyperTransport`] with the configured connect timeout and
    /// proxies).
    pub fn transport(mut self, transport: impl HttpTransport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }
    /// A shared transport.
    pub fn transport_arc(mut self, transport: Arc<dyn HttpTransport>) -> Self {
        self.transport = Some(transport);
        self
    }
    /// Idempotency tokens from a function instead of random UUIDs (for tests).
    pub fn idempotency_token_provider(mut self, f: impl Fn() -> String + Send + Sync + 'static) -> Self {
        self.idempotency_tokens = Some(IdempotencyTokenProvider::from_fn(f));
        self
    }
    /// Application name appended to the user agent (`app/<name>`).
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }
    /// The largest response body (in bytes) a call reads; `None` removes the limit. Default
    /// [`DEFAULT_MAX_RESPONSE_BODY`] (64 MiB). A response whose `Content-Length` is larger fails
    /// before its body is read; one without stops being read at the limit. Either way the call
    /// fails with a [`TransportError`](crate::error::TransportError) of kind
    /// [`ResponseTooLarge`](crate::error::TransportErrorKind::ResponseTooLarge), not retried.
    pub fn max_response_body_size(mut self, limit: Option<u64>) -> Self {
        self.max_response_body = limit;
        self
    }
    /// Allows sending signed requests over plain `http://` to hosts that are not loopback
    /// (default false). Loopback (`localhost`, `127.0.0.0/8`, `::1`) is always allowed. Without
    /// TLS the signature, the session token and the body cross the network readable by anyone
    /// on the path: only for test networks.
    pub fn allow_insecure_http(mut self, on: bool) -> Self {
        self.allow_insecure_http = on;
        self
    }
    /// Sets one of the service's client context parameters (`smithy.rules#clientContextParams`:
    /// endpoint-rule inputs such as S3's `ForcePathStyle`) to a string, boolean or list of
    /// strings. The generated crate's documentation lists the names and types its service
    /// accepts; a name the service does not declare, or a value of the wrong type, makes every
    /// call fail with an `SdkError::Construction` naming the parameter. An operation's own
    /// endpoint parameters (`contextParam`, `staticContextParams`, `operationContextParams`)
    /// take precedence over these.
    pub fn client_context_param(mut self, name: impl Into<String>, value: impl Into<awslim_endpoints::Value>) -> Self {
        self.client_context_params.insert(name.into(), value.into());
        self
    }
    /// Sets an endpoint-rule built-in by its name (`AWS::Auth::AccountId`,
    /// `AWS::S3::ForcePathStyle`, `AWS::STS::UseGlobalEndpoint`, ...): for the built-ins that have
    /// no setting of their own here. It takes precedence over the setting of the same built-in
    /// (e.g. `AWS::Region` over [`region`](Self::region), for endpoint resolution only). A value
    /// of the wrong type makes calls fail with an `SdkError::Construction` naming the parameter.
    pub fn endpoint_built_in(mut self, built_in: impl Into<String>, value: impl Into<awslim_endpoints::Value>) -> Self {
        self.endpoint_built_ins.insert(built_in.into(), value.into());
        self
    }
    /// HTTP(S) proxies for the default transport, instead of the environment's
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`; see [`crate::proxy`]). Has no
    /// effect with a transport of your own ([`transport`](Self::transport)).
    pub fn proxy(mut self, proxy: crate::proxy::ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }
    /// No proxy, whatever the environment says.
    pub fn no_proxy(self) -> Self {
        self.proxy(crate::proxy::ProxyConfig::disabled())
    }
    /// Whether the credentials and token providers are wrapped in the runtime's identity cache
    /// ([`crate::credentials::cache`]; default true). Providers that cache themselves
    /// ([`ProvideCredentials::caches_itself`]) are never wrapped; turn this off only for a
    /// provider that must be asked before every attempt.
    pub fn cache_identities(mut self, on: bool) -> Self {
        self.cache_identities = on;
        self
    }
    /// Builds the configuration.
    pub fn build(self) -> Config {
        let timeouts = self.timeouts;
        let credentials = self.credentials.unwrap_or_else(|| Arc::new(CredentialsChain::default_chain()));
        // The default transport, with the configured (else the environment's) proxies.
        let (transport, proxy) = match self.transport {
            Some(given) => (given, None),
            None => {
                let proxy = self.proxy.unwrap_or_else(crate::proxy::ProxyConfig::from_env);
                let transport: Arc<dyn HttpTransport> = Arc::new(HyperTransport::with_proxy(timeouts.connect, &proxy));
                (transport, Some(proxy))
            }
        };
        Config {
            region: self.region,
            credentials: cached_credentials(credentials, self.cache_identities),
            #[cfg(feature = "bearer")]
            token: self.token.map(|t| cached_token(t, self.cache_identities)),
            endpoint_url: self.endpoint_url,
            use_fips: self.use_fips,
            use_dual_stack: self.use_dual_stack,
            retry: self.retry,
            timeouts,
            validate_requests: self.validate_requests,
            request_compression: self.request_compression,
            transport,
            proxy,
            idempotency_tokens: self.idempotency_tokens.unwrap_or_else(IdempotencyTokenProvider::random),
            app_name: self.app_name,
            max_response_body: self.max_response_body,
            allow_insecure_http: self.allow_insecure_http,
            client_context_params: self.client_context_params,
            endpoint_built_ins: self.endpoint_built_ins,
            signing_keys: Arc::default(),
        }
    }
}

/// `provider` in the identity cache, unless it caches itself or caching is off.
fn cached_credentials(provider: Arc<dyn ProvideCredentials>, cache: bool) -> Arc<dyn ProvideCredentials> {
    if !cache || provider.caches_itself() {
        return provider;
    }
    Arc::new(crate::credentials::cache::CachingProvider::new(provider))
}

/// `provider` in the identity cache, unless it caches itself or caching is off.
#[cfg(feature = "bearer")]
fn cached_token(provider: Arc<dyn crate::token::ProvideToken>, cache: bool) -> Arc<dyn crate::token::ProvideToken> {
    if !cache || provider.caches_itself() {
        return provider;
    }
    Arc::new(crate::credentials::cache::CachingTokenProvider::new(provider))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::transport::StubTransport;

    #[test]
    fn random_uuids_are_lowercase_hyphenated_version_4() {
        let a = random_uuid_v4();
        let parsed = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(a, parsed.hyphenated().to_string(), "lowercase, hyphenated");
        assert_ne!(a, random_uuid_v4());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let config = Config::builder()
            .region("us-west-2")
            .credentials(Credentials::new("AKIDEXAMPLE", "TOPSECRETKEY").with_session_token("TOKENVALUE"))
            .transport(StubTransport::new())
            .build();
        let dbg = format!("{config:?} {config:#?} {:?}", config.to_builder());
        assert!(dbg.contains("us-west-2"));
        assert!(!dbg.contains("TOPSECRETKEY"), "{dbg}");
        assert!(!dbg.contains("TOKENVALUE"), "{dbg}");
    }

    #[cfg(feature = "bearer")]
    #[test]
    fn debug_never_shows_the_bearer_token() {
        let config =
            Config::builder().token(crate::token::Token::new("BEARERSECRET")).transport(StubTransport::new()).build();
        let dbg = format!("{config:?} {config:#?}");
        assert!(dbg.contains("Token"), "{dbg}");
        assert!(!dbg.contains("BEARERSECRET"), "{dbg}");
    }

    #[test]
    fn default_transport_builds_outside_a_runtime() {
        let c = Config::builder().region("us-east-1").build();
        assert!(format!("{c:?}").contains("HyperTransport"));
    }

    #[test]
    fn from_vars() {
        let vars = [
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://localhost:4566"),
            ("AWS_MAX_ATTEMPTS", "5"),
            ("AWS_USE_FIPS_ENDPOINT", "true"),
        ];
        let lookup = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        let c = Config::builder_from_vars(lookup).transport(StubTransport::new()).build();
        assert_eq!(c.region(), Some("eu-west-1"));
        assert_eq!(c.endpoint_url(), Some("http://localhost:4566"));
        assert_eq!(c.retry().max_attempts, 5);
        assert!(c.use_fips());
        assert!(!c.use_dual_stack());
        let with_region = |name: &str| match name {
            "AWS_REGION" => Some("us-east-2".to_owned()),
            "AWS_DEFAULT_REGION" => Some("eu-west-1".to_owned()),
            _ => None,
        };
        let c = Config::builder_from_vars(with_region).transport(StubTransport::new()).build();
        assert_eq!(c.region(), Some("us-east-2"), "AWS_REGION wins");
    }

    #[test]
    fn defaults() {
        let c = Config::builder().transport(StubTransport::new()).build();
        assert_eq!(c.retry().max_attempts, 3);
        assert!(c.validate_requests());
        assert_eq!(c.timeouts().connect, Some(Duration::from_millis(3100)));
        let a = c.idempotency_token_provider().token();
        let b = c.idempotency_token_provider().token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4", "version 4: {a}");
        let fixed =
            Config::builder().idempotency_token_provider(|| "fixed".into()).transport(StubTransport::new()).build();
        assert_eq!(fixed.idempotency_token_provider().token(), "fixed");
    }
}

/// Compression of request bodies for operations with `@requestCompression` (as the AWS SDKs
/// do): bodies of at least `min_size_bytes` are gzip-compressed unless `disabled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestCompression {
    /// Do not compress (`AWS_DISABLE_REQUEST_COMPRESSION`). Default: false.
    pub disabled: bool,
    /// Smallest body, in bytes, that is compressed (`AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES`).
    /// Default: 10,240.
    pub min_size_bytes: u32,
}

impl Default for RequestCompression {
    fn default() -> Self {
        RequestCompression { disabled: false, min_size_bytes: 10_240 }
    }
}
